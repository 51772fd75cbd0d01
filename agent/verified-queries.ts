import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isAnalystError } from '../core/index.ts';
import {
  parseVerifiedQuery,
  toVerifiedQuery,
  type VerifiedQuery,
  VerifiedQueryError,
  type VerifiedQueryInput,
  verifiedFileName,
} from './interpreter/verified.ts';

/** The folder of a model that holds verified queries. */
export const VERIFIED_QUERIES_DIR = 'verified_queries';

/** The verified queries of a model folder, and the files that could not be read (with why). */
export interface VerifiedQueryList {
  queries: VerifiedQuery[];
  problems: Array<{ file: string; message: string }>;
}

/**
 * The `verified_queries/` folder of a workspace's model: read (again only when a file changed) and
 * written atomically — a new file appears whole or not at all, and never replaces another.
 *
 * @example const store = new VerifiedQueryStore('model'); const { queries } = await store.list();
 */
export class VerifiedQueryStore {
  readonly dir: string;
  #cache: { signature: string; list: VerifiedQueryList } | undefined;
  #writes: Promise<unknown> = Promise.resolve();

  constructor(readonly modelDir: string) {
    this.dir = join(modelDir, VERIFIED_QUERIES_DIR);
  }

  /** Every verified query, sorted by file; a broken file is listed under `problems`, not thrown. */
  async list(): Promise<VerifiedQueryList> {
    const files = await this.#files();
    const stats = await Promise.all(
      files.map(async (f) => {
        const s = await stat(join(this.dir, f)).catch(() => undefined);
        return `${f}:${s?.mtimeMs ?? 0}:${s?.size ?? 0}`;
      }),
    );
    const signature = stats.join('|');
    if (this.#cache?.signature === signature) return this.#cache.list;
    const list: VerifiedQueryList = { queries: [], problems: [] };
    for (const f of files) {
      const file = `${VERIFIED_QUERIES_DIR}/${f}`;
      try {
        list.queries.push(parseVerifiedQuery(file, await readFile(join(this.dir, f), 'utf8')));
      } catch (err) {
        list.problems.push({
          file,
          message: isAnalystError(err) ? err.message : `${file} cannot be read.`,
        });
      }
    }
    this.#cache = { signature, list };
    return list;
  }

  /**
   * Validate and write a new verified query; returns it with its file. The file is written to a
   * temporary name, flushed, then linked into place (refused if the name is taken), so a reader never
   * sees half a file and no existing file is replaced.
   */
  save(input: VerifiedQueryInput): Promise<VerifiedQuery> {
    const run = this.#writes.then(() => this.#save(input));
    this.#writes = run.catch(() => {});
    return run;
  }

  async #save(input: VerifiedQueryInput): Promise<VerifiedQuery> {
    const checked = toVerifiedQuery(input, 'request');
    await mkdir(this.dir, { recursive: true });
    const existing = new Set(await this.#files());
    const name = verifiedFileName(checked.question, (n) => existing.has(n));
    const { file: _f, ...body } = checked;
    const text = `# A verified query: reused for questions that say the same thing.\n${stringify(body, { lineWidth: 0 })}`;
    const tmp = join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(tmp, 'wx', 0o640);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(tmp, join(this.dir, name));
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST')
        throw new VerifiedQueryError(
          'VERIFIED_QUERY_EXISTS',
          `A verified query file ${name} already exists.`,
          {
            cause,
          },
        );
      throw cause;
    } finally {
      await unlink(tmp).catch(() => {});
    }
    return { ...checked, file: `${VERIFIED_QUERIES_DIR}/${name}` };
  }

  async #files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => /^[^.].*\.ya?ml$/.test(f)).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
