import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { syncConnector } from '../sync/engine.ts';
import { mysqlConnector } from './connector.ts';

const TABLE = `analyst_my_visits_${process.pid}`;
const base = { host: '127.0.0.1', port: 3306, database: 'test', user: 'root', tables: [TABLE] };
const db = () => mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
let next = 1;

async function insertVisits(n: number): Promise<void> {
  const c = await db();
  const values = Array.from({ length: n }, (_, i) => {
    const g = next + i;
    const note = g % 7 === 0 ? 'line one\nline "two", three' : g % 11 === 0 ? '' : null;
    const seen = new Date(Date.UTC(2024, 0, 1, 0, g)).toISOString().slice(0, 19).replace('T', ' ');
    return [
      `p${g}`,
      note,
      (g * 1.25).toFixed(2),
      seen,
      g % 2 === 0 ? 1 : 0,
      String(9007199254740993n + BigInt(g)),
    ];
  });
  await c.query(`INSERT INTO ${TABLE} (patient, note, amount, seen_at, flag, big) VALUES ?`, [values]);
  next += n;
  await c.end();
}

runConnectorSuite({
  connector: mysqlConnector,
  setup: async () => {
    const c = await db();
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.query(
      `CREATE TABLE ${TABLE} (id INT AUTO_INCREMENT PRIMARY KEY, patient VARCHAR(32) NOT NULL, note TEXT,
       amount DECIMAL(10,2), seen_at DATETIME NOT NULL, flag TINYINT(1), big BIGINT) ENGINE=InnoDB`,
    );
    await c.end();
    await insertVisits(1000);
  },
  options: () =>
    mysqlConnector.spec.parse({ ...base, batch_rows: 300, cursor_fields: { [TABLE]: 'seen_at' } }),
  badOptions: () => mysqlConnector.spec.parse({ ...base, password: 'Wr0ng-Secret-Value-17' }),
  badOptionsCode: 'CONNECTOR_AUTH_FAILED',
  stream: TABLE,
  expectedRows: 1000,
  addRows: async () => {
    await insertVisits(40);
    return 40;
  },
});

describe('mysql: values through Arrow batches', () => {
  let dir: string;
  let lake: Lakehouse;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-my-'));
    lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'c.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider('mysql-connector-test-key-0123456'),
      create: true,
    });
  });
  afterAll(async () => {
    await lake.close();
    await rm(dir, { recursive: true, force: true });
    const c = await db();
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`);
    await c.end();
  });

  it('round-trips text, NULL vs empty, decimals, datetimes, booleans and big integers exactly', async () => {
    const run = await syncConnector(
      {
        name: 'my',
        type: 'mysql',
        options: { ...base, batch_rows: 256 },
        mode: 'full_refresh',
        on_reject: 'fail',
      },
      { lake, connectors: new Map([['mysql', mysqlConnector]]), resolveSecret: (v) => v },
    );
    expect(run.streams[0]?.error).toBeUndefined();
    const c = await db();
    const [src] = (await c.query(
      `SELECT count(*), count(note), CAST(sum(amount) AS CHAR), sum(note = ''), CAST(max(big) AS CHAR) FROM ${TABLE}`,
    )) as unknown as [Array<Record<string, unknown>>];
    await c.end();
    const s = Object.values(src[0]!);
    const got = await lake.query(
      `SELECT count(*), count(note), CAST(sum(amount) AS VARCHAR), count(*) FILTER (WHERE note = ''), CAST(max(big) AS VARCHAR)
       FROM ${lake.tableRef(TABLE)}`,
    );
    expect(got.rows[0]?.map(String)).toEqual(s.map(String));
    const row = await lake.query(`SELECT note, flag, seen_at FROM ${lake.tableRef(TABLE)} WHERE id = 7`);
    expect(row.rows[0]).toEqual(['line one\nline "two", three', false, '2024-01-01 00:07:00']);
    const info = await lake.tables.describe(TABLE);
    expect(info?.columns.map((col) => col.type)).toEqual([
      'INTEGER',
      'VARCHAR',
      'VARCHAR',
      'DECIMAL(10,2)',
      'TIMESTAMP',
      'BOOLEAN',
      'BIGINT',
    ]);
  });
});
