// The per-connection catalog on real (in-memory) DuckDB: what it holds, what it refuses, and the
// MEASURE() rewrite that parses with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogDatabase, catalogDialect } from './catalog.ts';
import { rewriteMeasures } from './measures.ts';

let catalog: CatalogDatabase;
const limits = { timeoutMs: 10_000, maxRows: 1000 };

beforeAll(async () => {
  catalog = await CatalogDatabase.open(
    [
      {
        name: 'encounters',
        description: 'One row per encounter.',
        columns: [
          { name: 'id', type: 'VARCHAR' },
          { name: 'start', type: 'TIMESTAMP' },
          { name: 'cost', type: 'DOUBLE', description: 'Base cost.' },
        ],
      },
    ],
    { user: 'clinician', database: 'analyst', serverVersion: '15.0', processId: 7 },
  );
});
afterAll(() => catalog.close());

describe('the caller catalog', () => {
  it('lists only the relations it was given, in schema public', async () => {
    const r = await catalog.query(
      catalogDialect(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
      ),
      limits,
    );
    expect(r.rows).toEqual([['public', 'encounters']]);
  });

  it("answers psql's \\d lookups in PostgreSQL's spelling", async () => {
    const r = await catalog.query(
      catalogDialect(`SELECT c.relname, pg_catalog.obj_description(c.oid, 'pg_class') FROM pg_catalog.pg_class c
        LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relname OPERATOR(pg_catalog.~) '^(encounters)$' COLLATE pg_catalog.default
          AND n.nspname !~ '^pg_' AND pg_catalog.pg_table_is_visible(c.oid)`),
      limits,
    );
    expect(r.rows).toEqual([['encounters', 'One row per encounter.']]);
    const cols = await catalog.query(
      catalogDialect(`SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), pg_catalog.col_description(a.attrelid, a.attnum)
        FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
        WHERE c.relname = 'encounters' AND a.attnum > 0 ORDER BY a.attnum`),
      limits,
    );
    expect(cols.rows).toEqual([
      ['id', 'text', null],
      ['start', 'timestamp without time zone', null],
      ['cost', 'double precision', 'Base cost.'],
    ]);
  });

  it('reads no file and changes no setting', async () => {
    await expect(catalog.query("SELECT * FROM read_csv('/etc/passwd')", limits)).rejects.toThrow(
      /disabled|Permission/i,
    );
    await expect(catalog.query('SET enable_external_access = true', limits)).rejects.toThrow(
      /lock|configuration/i,
    );
  });
});

describe('MEASURE()', () => {
  const measures = new Map([
    [
      'encounters',
      {
        columns: new Set(['id', 'start', 'cost', 'count']),
        measures: new Map([
          ['count', 'count(*)'],
          ['total_cost', 'sum("cost")'],
        ]),
      },
    ],
  ]);
  it('becomes the measure aggregate, named after the measure', async () => {
    const sql = await rewriteMeasures(
      'SELECT start, MEASURE(total_cost) FROM encounters GROUP BY 1',
      measures,
      catalog,
    );
    expect(sql).toMatch(/sum\("?cost"?\) AS "?total_cost"?/i);
  });
  it('a bare measure name is a measure only in a grouped query, and never when a column has that name', async () => {
    const grouped = await rewriteMeasures(
      'SELECT start, total_cost FROM encounters GROUP BY 1',
      measures,
      catalog,
    );
    expect(grouped).toMatch(/sum\("?cost"?\) AS "?total_cost"?/i);
    const ungrouped = 'SELECT start, total_cost FROM encounters';
    expect(await rewriteMeasures(ungrouped, measures, catalog)).toBe(ungrouped);
    const column = 'SELECT start, count FROM encounters GROUP BY 1, 2';
    expect(await rewriteMeasures(column, measures, catalog)).toBe(column);
  });
  it('names a measure the relation does not have', async () => {
    await expect(rewriteMeasures('SELECT MEASURE(nope) FROM encounters', measures, catalog)).rejects.toThrow(
      /nope/,
    );
  });
});
