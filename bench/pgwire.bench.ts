// The SQL API over the PostgreSQL wire protocol, against a real `analyst serve --sql-port` on the
// Synthea sample, each figure beside its anchor in the same run:
//  - pgwire.query.p50: the same governed statements through node-postgres (simple query) vs
//    POST /v1/sql, interleaved, same identity and server. Aim <= 1.2.
//  - pgwire.stream.rows_per_s: a 1M-row result streamed to node-postgres (rows counted as they
//    arrive) vs DuckDB reading the same rows directly through the lake (`lake.query`, no gate,
//    no wire) in this process before the server starts. Aim >= 0.5.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { openRuntime } from '../app/index.ts';
import { Workspace } from '../workspace/index.ts';
import { ANALYST_BIN } from './demo-workspace.ts';
import { type Bench, percentiles } from './result.ts';

const SYNTHEA = resolve(import.meta.dirname, '../../shared/fixtures/synthea');
const ROUNDS = 15;
const BIG_ROWS = 1_000_000;

/** Statements a BI tool or notebook sends, as the clinician (their organization's rows). */
const STATEMENTS = [
  'SELECT count(*) FROM encounters',
  'SELECT encounterclass, count(*), avg(base_encounter_cost) FROM encounters GROUP BY 1 ORDER BY 2 DESC',
  "SELECT id, start, base_encounter_cost FROM encounters WHERE encounterclass = 'ambulatory' ORDER BY start DESC LIMIT 50",
  'SELECT gender, count(*) FROM patients GROUP BY gender',
  'SELECT e.encounterclass, p.gender, count(*) FROM encounters e JOIN patients p ON e.patient = p.id GROUP BY ALL',
];

/** One million rows: every encounter once per row of a small slice of encounters. */
const BIG = (relation: (name: string) => string) =>
  `SELECT e.id, e.patient, e.start, e.encounterclass, e.base_encounter_cost FROM ${relation('encounters')} e CROSS JOIN (SELECT id FROM ${relation('encounters')} LIMIT 200) k LIMIT ${BIG_ROWS}`;

const exec = promisify(execFile);
const cli = async (args: string[]) =>
  (
    await exec(process.execPath, [ANALYST_BIN, ...args], {
      env: { ...process.env, ANALYST_WORKSPACE: '' },
      maxBuffer: 1 << 26,
    })
  ).stdout;

async function startServer(
  dir: string,
): Promise<{ url: string; sqlPort: number; stop: () => Promise<void> }> {
  const log = openSync(join(dir, 'serve.log'), 'a');
  const child = spawn(
    process.execPath,
    [ANALYST_BIN, 'serve', '--workspace', dir, '--port', '0', '--sql-port', '0'],
    {
      stdio: ['ignore', 'pipe', log],
      env: { ...process.env, ANALYST_WORKSPACE: '' },
    },
  );
  let out = '';
  const line = await new Promise<{ url: string; sql: string }>((resolveLine, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const l = out.split('\n').find((x) => x.includes('"listening"'));
      if (l) resolveLine(JSON.parse(l) as { url: string; sql: string });
    });
    child.once('exit', (code) => reject(new Error(`analyst serve exited ${code}; see ${dir}/serve.log`)));
  });
  return {
    url: line.url,
    sqlPort: Number(new URL(line.sql).port),
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

export const run: Bench = async () => {
  const root = await mkdtemp(join(tmpdir(), 'bench-pgwire-'));
  const dir = join(root, 'ws');
  try {
    await cli(['init', dir, '--preset', 'synthea', '--source', SYNTHEA, '--json']);
    const yamlPath = join(dir, 'analyst.yaml');
    const doc = parseDocument(await readFile(yamlPath, 'utf8'));
    doc.setIn(['server', 'limits', 'requests_per_minute'], 10_000_000);
    doc.setIn(['server', 'limits', 'query_seconds_per_minute'], 10_000_000);
    doc.setIn(['server', 'sql', 'max_rows'], BIG_ROWS);
    await writeFile(yamlPath, doc.toString());
    const clinician = (await cli(['token', '--workspace', dir, '--user', 'clinician'])).trim();
    const admin = (await cli(['token', '--workspace', dir, '--user', 'admin'])).trim();

    // Anchor: DuckDB reads the million rows directly through the lake, in this process.
    const rt = await openRuntime(await Workspace.load(dir), { route: 'bench pgwire anchor' });
    let directRowsPerS = 0;
    try {
      const sql = BIG((name) => `lake.main.${name}`);
      await rt.lake.query(sql, [], { maxRows: BIG_ROWS, timeoutMs: 300_000 });
      const t0 = performance.now();
      const r = await rt.lake.query(sql, [], { maxRows: BIG_ROWS, timeoutMs: 300_000 });
      directRowsPerS = r.rows.length / ((performance.now() - t0) / 1000);
      if (r.rows.length !== BIG_ROWS) throw new Error(`direct read returned ${r.rows.length} rows`);
    } finally {
      await rt.close();
    }

    const server = await startServer(dir);
    try {
      const connect = async (user: string, password: string) => {
        const c = new pg.Client({
          host: '127.0.0.1',
          port: server.sqlPort,
          user,
          password,
          database: 'analyst',
        });
        await c.connect();
        return c;
      };
      const c = await connect('clinician', clinician);
      const http = async (sql: string) => {
        const res = await fetch(`${server.url}/v1/sql`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${clinician}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ sql }),
        });
        if (res.status !== 200) throw new Error(`/v1/sql ${res.status}`);
        await res.json();
      };
      const wire: number[] = [];
      const rest: number[] = [];
      for (const s of STATEMENTS) {
        await c.query(s);
        await http(s);
      }
      for (let i = 0; i < ROUNDS; i++) {
        for (const s of STATEMENTS) {
          let t0 = performance.now();
          await c.query(s);
          wire.push(performance.now() - t0);
          t0 = performance.now();
          await http(s);
          rest.push(performance.now() - t0);
        }
      }
      await c.end();

      const a = await connect('admin', admin);
      // Rows as they arrive, as text: the figure is the server's streaming, not the client's date parsing.
      const query = new pg.Query({
        text: BIG((name) => name),
        rowMode: 'array',
        types: { getTypeParser: () => (value: string) => value },
      } as pg.QueryConfig);
      let rows = 0;
      query.on('row', () => {
        rows++;
      });
      const t0 = performance.now();
      a.query(query);
      await new Promise((res, rej) => query.on('end', res).on('error', rej));
      const wireRowsPerS = rows / ((performance.now() - t0) / 1000);
      await a.end();
      if (rows !== BIG_ROWS) throw new Error(`streamed ${rows} rows, expected ${BIG_ROWS}`);

      const p50Wire = percentiles(wire).p50;
      const p50Rest = percentiles(rest).p50;
      return [
        {
          name: 'pgwire.query.p50',
          value: p50Wire,
          unit: 'ms',
          anchor: 'POST /v1/sql, same statements and identity, interleaved',
          anchorValue: p50Rest,
          ratio: p50Wire / p50Rest,
          aim: '<= 1.2',
        },
        {
          name: 'pgwire.stream.rows_per_s',
          value: wireRowsPerS,
          unit: 'rows/s',
          anchor: 'DuckDB reading the same 1M rows directly (lake.query, no gate, no wire)',
          anchorValue: directRowsPerS,
          ratio: wireRowsPerS / directRowsPerS,
          aim: '>= 0.5',
        },
      ];
    } finally {
      await server.stop();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
};
