// The PHI boundary's cost per model turn, beside DuckDB doing the same work directly.
//  - phi.boundary.turn.p50: a phi: deidentified turn — a boundary built over a value index of 10,000
//    patient names, the question with placeholders, the schema and 200 result rows through Safe
//    Harbor, quoted as data — vs DuckDB computing the same Safe Harbor projection of the same 200
//    rows as JSON in SQL (year(), left(zip, 3), small-cell CASE) on an in-memory table.
import { DuckDBInstance } from '@duckdb/node-api';
import { PhiBoundary } from '../agent/index.ts';
import { type Bench, percentiles, timeMs } from './result.ts';

const NAMES = 10_000;
const ROWS = 200;
const RUNS = 200;

export const run: Bench = async () => {
  const known = Array.from({ length: NAMES }, (_, i) => `Firstname${i} Lastname${i}`);
  const columns = [
    { name: 'patients.name', type: 'VARCHAR' },
    { name: 'patients.birthdate', type: 'DATE' },
    { name: 'patients.zip', type: 'VARCHAR' },
    { name: 'conditions.description', type: 'VARCHAR' },
    { name: 'encounters.count', type: 'BIGINT' },
    { name: 'claims.total_cost', type: 'DOUBLE' },
  ];
  const rows = Array.from({ length: ROWS }, (_, i) => [
    known[i * 37]!,
    `19${String(30 + (i % 70)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`,
    String(10000 + i * 311).padStart(5, '0'),
    i % 13 === 0 ? `Follow-up call 617-555-${String(1000 + i)}` : 'Essential hypertension',
    BigInt(i % 40),
    i * 12.5,
  ]);
  const schema = {
    cubes: [{ name: 'encounters', measures: [{ name: 'encounters.count' }], dimensions: columns }],
  };
  const question = `How many encounters did ${known[4242]} have by year, and the total cost?`;

  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    'CREATE TABLE r (name VARCHAR, birthdate DATE, zip VARCHAR, description VARCHAR, n BIGINT, total DOUBLE)',
  );
  const app = await c.createAppender('r');
  for (const row of rows) {
    app.appendVarchar(row[0] as string);
    app.appendVarchar(row[1] as string);
    app.appendVarchar(row[2] as string);
    app.appendVarchar(row[3] as string);
    app.appendBigInt(row[4] as bigint);
    app.appendDouble(row[5] as number);
    app.endRow();
  }
  app.closeSync();
  const anchorSql = `SELECT to_json(list([year(birthdate)::VARCHAR, left(zip, 3), description,
      CASE WHEN n < 11 THEN '<11' ELSE n::VARCHAR END, total::VARCHAR])) FROM r`;

  const ours: number[] = [];
  const anchor: number[] = [];
  // Alternate the two so drift on a shared machine hits both alike.
  for (let i = 0; i < RUNS; i++) {
    anchor.push(await timeMs(async () => (await c.runAndReadAll(anchorSql)).getRows()));
    ours.push(
      await timeMs(async () => {
        const b = new PhiBoundary({ level: 'deidentified', knownIdentifiers: known });
        return b.prompt({ question, schema, result: { columns, rows } });
      }),
    );
  }
  c.closeSync();
  db.closeSync();
  const o = percentiles(ours).p50;
  const a = percentiles(anchor).p50;
  return [
    {
      name: 'phi.boundary.turn.p50',
      value: o,
      unit: 'ms',
      anchor: 'duckdb Safe Harbor projection of the same rows to JSON',
      anchorValue: a,
      ratio: o / a,
      aim: '<= 5',
    },
  ];
};
