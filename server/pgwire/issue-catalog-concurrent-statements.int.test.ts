// Regression: under load, `SELECT encounterclass, count, total_base_encounter_cost FROM encounters
// GROUP BY 1` over the SQL wire answered "Internal error" now and then (server log: `expressionOf
// (measures.ts)` in `Promise.all`). The MEASURE() rewrite parses the measures of a select list at
// once, on the caller's one catalog connection; DuckDB fails a statement ("Failed to execute
// prepared statement") when another starts on the same connection meanwhile, and ends a streamed
// result early, with no error, the same way. The catalog now runs its statements one at a time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogDatabase } from './catalog.ts';
import { rewriteMeasures } from './measures.ts';

const MEASURES = ['count', 'total_cost', 'avg_cost', 'max_cost', 'min_cost', 'patients'];
const AGGREGATES = [
  'count(*)',
  'sum("cost")',
  'avg("cost")',
  'max("cost")',
  'min("cost")',
  'count(DISTINCT "patient")',
];
const measures = new Map([
  [
    'encounters',
    {
      columns: new Set(['id', 'start', 'cost', 'patient']),
      measures: new Map(MEASURES.map((m, i) => [m, AGGREGATES[i] as string])),
    },
  ],
]);

let catalog: CatalogDatabase;

beforeAll(async () => {
  catalog = await CatalogDatabase.open(
    [
      {
        name: 'encounters',
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'start', type: 'TIMESTAMP' },
          { name: 'cost', type: 'DOUBLE' },
          { name: 'patient', type: 'VARCHAR' },
        ],
      },
    ],
    { user: 'clinician', database: 'analyst', serverVersion: '15.0', processId: 7 },
  );
});
afterAll(() => catalog.close());

describe('the caller catalog runs one statement at a time', () => {
  it('rewrites a select list of several measures every time (each parsed on the one connection)', async () => {
    const sql = `SELECT start, ${MEASURES.join(', ')} FROM encounters GROUP BY 1`;
    for (let round = 0; round < 30; round++) {
      const rewritten = await rewriteMeasures(sql, measures, catalog);
      for (const m of MEASURES) expect(rewritten).toMatch(new RegExp(`AS "?${m}"?`));
      expect(rewritten).toMatch(/count\(DISTINCT "?patient"?\)/i);
    }
  });

  it('answers every catalog query whole while other statements are asked for at the same time', async () => {
    const limits = { timeoutMs: 60_000, maxRows: 100_000 };
    const tree1 = (await catalog.serialize('SELECT start FROM encounters')) as Record<string, unknown>;
    for (let round = 0; round < 10; round++) {
      const [big, tree, text, small] = await Promise.all([
        catalog.query('SELECT * FROM range(50000)', limits),
        catalog.serialize(`SELECT ${round} AS x`),
        catalog.deserialize(tree1),
        catalog.query(`SELECT ${round} AS n`, limits),
      ]);
      expect(big.rows).toHaveLength(50_000);
      expect(tree?.error).toBe(false);
      expect(text).toMatch(/SELECT "?start"? FROM "?encounters"?/i);
      expect(small.rows).toEqual([[round]]);
    }
  });
});
