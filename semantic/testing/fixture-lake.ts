import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import { generateKey, Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';

/** A throwaway encrypted lake and how to remove it. */
export interface FixtureLake {
  lake: Lakehouse;
  dir: string;
  close(): Promise<void>;
}

/**
 * An encrypted lake in a fresh temp folder holding every `*.csv` of `csvDir` as a table named as
 * the file, columns lower-cased. For tests and benchmarks; the CSV files are only read.
 *
 * @example const { lake, close } = await createCsvFixtureLake('../shared/fixtures/synthea');
 */
export async function createCsvFixtureLake(
  csvDir: string,
  options: { only?: string[] } = {},
): Promise<FixtureLake> {
  const dir = await mkdtemp(join(tmpdir(), 'analyst-semantic-'));
  const lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
    dataPath: join(dir, 'data'),
    key: staticKeyProvider(generateKey()),
    create: true,
    readConnections: 2,
  });
  try {
    const files = (await readdir(csvDir)).filter((f) => f.endsWith('.csv')).sort();
    for (const file of files) {
      const table = file.slice(0, -4);
      if (options.only && !options.only.includes(table)) continue;
      const path = join(csvDir, file);
      const header = (await readFile(path, 'utf8')).split('\n', 1)[0] ?? '';
      const cols = header.split(',').map((c) => c.trim());
      const select = cols.map((c) => `${quoteIdent(c)} AS ${quoteIdent(c.toLowerCase())}`).join(', ');
      await lake.replaceTable(table, `SELECT ${select} FROM read_csv(${quoteLiteral(path)}, header = true)`, {
        author: 'fixture',
        message: `load ${file}`,
      });
    }
  } catch (err) {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    lake,
    dir,
    close: async () => {
      await lake.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
