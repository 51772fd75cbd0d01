import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvHead } from '../sdk/csv-head.ts';
import { CsvTableWriter, SYNTHEA_HEADERS } from './csv-writer.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('demo: CSV writer', () => {
  it('writes plain records as they are and quotes only the values that need it (RFC 4180, UTF-8)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'analyst-csv-writer-'));
    dirs.push(dir);
    const w = CsvTableWriter.open(dir, 'supplies');
    const plain = ['2021-03-04', 'a1b2', 'e-1', '2093-3', 'Glucose test strips', 50];
    const awkward = [
      'Hypertension, essential',
      'say "ah"',
      'two\nlines',
      'Zoë Müller',
      null,
      -0.000001234567890123,
    ];
    w.row(plain);
    w.row(awkward);
    w.row([undefined, null, 0, 1e21, '', 'x']);
    // Enough records to fill the 1 MB buffer several times, with quoted ones across its edges.
    for (let i = 0; i < 30_000; i++) w.row(i % 7 ? [...plain.slice(0, 5), i] : [...awkward.slice(0, 5), i]);
    await w.close();
    expect(w.rows).toBe(30_003);

    const text = await readFile(join(dir, 'supplies.csv'), 'utf8');
    const lines = text.split('\n');
    expect(lines[0]).toBe(SYNTHEA_HEADERS.supplies);
    expect(lines[1]).toBe('2021-03-04,a1b2,e-1,2093-3,Glucose test strips,50');
    expect(lines[2]).toBe('"Hypertension, essential","say ""ah""","two');
    const { records } = await readCsvHead(join(dir, 'supplies.csv'), 1 << 26);
    expect(records[1]).toEqual(plain.map(String));
    expect(records[2]).toEqual([
      'Hypertension, essential',
      'say "ah"',
      'two\nlines',
      'Zoë Müller',
      '',
      '-0.000001234567890123',
    ]);
    expect(records[3]).toEqual(['', '', '0', '1e+21', '', 'x']);
    expect(records.length).toBe(30_004);
    expect(records.slice(4).map((r) => [r[0], r[5]])).toEqual(
      Array.from({ length: 30_000 }, (_, i) => [i % 7 ? '2021-03-04' : 'Hypertension, essential', String(i)]),
    );
  });
});
