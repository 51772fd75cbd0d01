// The SQL API against a real `analyst serve --sql-port 0` on a fresh Synthea workspace, driven
// by clients we did not write: psql, node-postgres, and SQLAlchemy + pandas over psycopg in a
// throwaway virtualenv. Every answer is compared with what POST /v1/sql gives the same identity,
// so the wire protocol cannot govern differently from HTTP without a test failing.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  devToken,
  type LiveServer,
  postJson,
  serveRefusal,
  startServer,
  syntheaWorkspace,
} from '../testing/live-server.ts';
import { pythonWithClients } from './testing/python-venv.ts';

const run = promisify(execFile);

let root = '';
let ws = '';
let server: LiveServer;
let port = 0;
const tokens: Record<string, string> = {};
let org = '';

async function httpRows(user: string, sql: string): Promise<unknown[][]> {
  const r = await postJson(`${server.url}/v1/sql`, tokens[user] as string, { sql });
  if (r.status !== 200) throw new Error(`/v1/sql ${r.status}: ${JSON.stringify(r.body)}`);
  return (r.body as { rows: unknown[][] }).rows;
}

async function connect(user: string, password = tokens[user]): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'analyst' });
  await c.connect();
  return c;
}

async function psql(
  user: string,
  args: string[],
  password = tokens[user] as string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(
      'psql',
      [`host=127.0.0.1 port=${port} user=${user} dbname=analyst`, '-X', '-v', 'ON_ERROR_STOP=1', ...args],
      { env: { ...process.env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '10' } },
    );
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function sqlState(c: pg.Client, sql: string): Promise<string | undefined> {
  try {
    await c.query(sql);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pgwire-clients-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  const users = parse(await readFile(join(ws, 'users.yaml'), 'utf8')) as {
    users: Array<{ id: string; attributes?: { organization_id?: string } }>;
  };
  org = users.users.find((u) => u.id === 'clinician')?.attributes?.organization_id ?? '';
  for (const user of ['admin', 'analyst', 'clinician', 'auditor']) tokens[user] = await devToken(ws, user);
  server = await startServer(ws, ['--sql-port', '0']);
  port = Number(new URL(server.sqlUrl ?? 'postgresql://x:0').port);
  expect(port).toBeGreaterThan(0);
}, 600_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('psql', () => {
  it('lists the cubes the caller may see (\\dt) and describes one (\\d encounters)', async () => {
    const dt = await psql('clinician', ['-A', '-t', '-c', '\\dt']);
    expect(dt.code).toBe(0);
    const names = dt.stdout
      .trim()
      .split('\n')
      .map((l) => l.split('|')[1]);
    expect(names).toContain('encounters');
    expect(names).toContain('patients');
    const d = await psql('clinician', ['-A', '-t', '-c', '\\d encounters']);
    expect(d.code).toBe(0);
    const columns = Object.fromEntries(
      d.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|').slice(0, 2)),
    );
    expect(columns.start).toBe('timestamp without time zone');
    expect(columns.encounterclass).toBe('text');
    expect(columns.base_encounter_cost).toBe('double precision');
  });

  it("a clinician's count is their organization's only, as over HTTP", async () => {
    const r = await psql('clinician', ['-A', '-t', '-c', 'SELECT count(*) FROM encounters']);
    expect(r.code).toBe(0);
    const count = Number(r.stdout.trim());
    const [[all]] = (await httpRows('admin', 'SELECT count(*) FROM encounters')) as [[number]];
    const [[theirs]] = (await httpRows(
      'admin',
      `SELECT count(*) FROM encounters WHERE organization = '${org}'`,
    )) as [[number]];
    expect(count).toBe(Number(theirs));
    expect(count).toBeLessThan(Number(all));
    expect(await httpRows('clinician', 'SELECT count(*) FROM encounters')).toEqual([[count]]);
  });

  it('a wrong password is refused with 28P01 and the failure is audited', async () => {
    const r = await psql('clinician', ['-c', 'SELECT 1'], 'not-a-token');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('password authentication failed for user "clinician"');
    const c = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'clinician',
      password: 'wrong',
      database: 'analyst',
    });
    const code = await c.connect().then(
      () => 'connected',
      (err: { code?: string }) => err.code,
    );
    expect(code).toBe('28P01');
    // Another person's valid token does not sign in as the clinician.
    const other = new pg.Client({
      host: '127.0.0.1',
      port,
      user: 'clinician',
      password: tokens.analyst,
      database: 'analyst',
    });
    expect(
      await other.connect().then(
        () => 'connected',
        (err: { code?: string }) => err.code,
      ),
    ).toBe('28P01');
    const res = await fetch(`${server.url}/v1/audit?type=auth_failure&limit=50`, {
      headers: { Authorization: `Bearer ${tokens.auditor}` },
    });
    const records = ((await res.json()) as { records: Array<{ route: string; details?: { code?: string } }> })
      .records;
    const wire = records.filter((x) => x.route === 'SQL wire');
    expect(wire.length).toBeGreaterThanOrEqual(3);
    expect(wire.map((x) => x.details?.code)).toContain('USER_MISMATCH');
  });
});

describe('node-postgres', () => {
  it('runs prepared statements with parameters, as /v1/sql answers them', async () => {
    const c = await connect('clinician');
    try {
      const sql =
        'SELECT encounterclass, count(*) AS n FROM encounters WHERE encounterclass <> $1 GROUP BY 1 ORDER BY 1';
      const named = { name: 'by-class', text: sql };
      const a = await c.query({ ...named, values: ['inpatient'] });
      const b = await c.query({ ...named, values: ['ambulatory'] });
      const expected = (excluded: string) =>
        httpRows(
          'clinician',
          `SELECT encounterclass, count(*) AS n FROM encounters WHERE encounterclass <> '${excluded}' GROUP BY 1 ORDER BY 1`,
        );
      const asPairs = (rows: Array<{ encounterclass: string; n: string }>) =>
        rows.map((r) => [r.encounterclass, Number(r.n)]);
      expect(asPairs(a.rows)).toEqual(await expected('inpatient'));
      expect(asPairs(b.rows)).toEqual(await expected('ambulatory'));
      expect(a.rows).not.toEqual(b.rows);
      // A quote in a parameter is a value, never SQL.
      const quoted = await c.query('SELECT count(*) AS n FROM encounters WHERE encounterclass = $1', [
        "x' OR '1'='1",
      ]);
      expect(quoted.rows).toEqual([{ n: '0' }]);
    } finally {
      await c.end();
    }
  });

  it('sends PostgreSQL type OIDs: int8, numeric, float8, text, date, timestamp, timestamptz, bool', async () => {
    const c = await connect('analyst');
    try {
      const r = await c.query(
        `SELECT count(*) AS n, CAST(sum(healthcare_expenses) AS DECIMAL(18, 2)) AS total, avg(healthcare_expenses) AS mean,
                min(gender) AS g, min(birthdate) AS born, CAST(min(birthdate) AS TIMESTAMP) AS ts,
                CAST(min(birthdate) AS TIMESTAMPTZ) AS tstz, bool_or(is_deceased) AS any_dead
           FROM patients`,
      );
      expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([
        ['n', 20],
        ['total', 1700],
        ['mean', 701],
        ['g', 25],
        ['born', 1082],
        ['ts', 1114],
        ['tstz', 1184],
        ['any_dead', 16],
      ]);
      const row = r.rows[0] as Record<string, unknown>;
      expect(typeof row.any_dead).toBe('boolean');
      expect(row.born).toBeInstanceOf(Date);
      expect(Number(row.n)).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it('streams a large result row by row', async () => {
    const c = await connect('admin');
    try {
      const [[expected]] = (await httpRows('admin', 'SELECT count(*) FROM procedures')) as [[number]];
      expect(Number(expected)).toBeGreaterThan(10_000);
      const query = new pg.Query('SELECT * FROM procedures');
      let rows = 0;
      query.on('row', () => {
        rows++;
      });
      c.query(query);
      await new Promise((resolve, reject) => query.on('end', resolve).on('error', reject));
      expect(rows).toBe(Number(expected));
    } finally {
      await c.end();
    }
  });

  it('a CancelRequest interrupts a long query inside DuckDB and the connection stays usable', async () => {
    const c = await connect('clinician');
    try {
      const query = new pg.Query(
        "SELECT count(*) FROM encounters a, encounters b, encounters c WHERE a.description || b.description || c.description LIKE '%never%'",
      );
      c.query(query);
      const done = new Promise((resolve, reject) => query.on('end', resolve).on('error', reject));
      // Cancel once the statement is running (its first row would have arrived otherwise).
      await new Promise((r) => setTimeout(r, 2000));
      // node-postgres sends the CancelRequest on a new connection (its Client#cancel is untyped).
      const canceller = new pg.Client({ host: '127.0.0.1', port }) as unknown as {
        cancel(client: pg.Client, query: pg.Query): void;
      };
      canceller.cancel(c, query);
      const err = await done.then(
        () => undefined,
        (e: { code?: string; message?: string }) => e,
      );
      expect(err?.code).toBe('57014');
      expect(err?.message).toContain('user request');
      expect((await c.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await c.end();
    }
  });

  it('MEASURE(name) aggregates a measure; a grouped query may name it as a column', async () => {
    const c = await connect('clinician');
    try {
      const measured = await c.query(
        'SELECT encounterclass, MEASURE(count) FROM encounters GROUP BY 1 ORDER BY 1',
      );
      const bare = await c.query(
        'SELECT encounterclass, count, total_base_encounter_cost FROM encounters GROUP BY 1 ORDER BY 1',
      );
      const plain = await httpRows(
        'clinician',
        'SELECT encounterclass, count(*), sum(base_encounter_cost) FROM encounters GROUP BY 1 ORDER BY 1',
      );
      expect(measured.rows.map((r) => [r.encounterclass, Number(r.count)])).toEqual(
        plain.map((r) => [r[0], r[1]]),
      );
      expect(bare.rows.map((r) => [r.encounterclass, Number(r.count), r.total_base_encounter_cost])).toEqual(
        plain,
      );
      expect(await sqlState(c, 'SELECT MEASURE(no_such_measure) FROM encounters')).toBe('42703');
    } finally {
      await c.end();
    }
  });

  it('a select list of several measures answers every time (issue-catalog-concurrent-statements)', async () => {
    const names = [
      'count',
      'total_base_encounter_cost',
      'avg_base_encounter_cost',
      'total_total_claim_cost',
      'avg_total_claim_cost',
      'total_payer_coverage',
    ];
    const sql = `SELECT encounterclass, ${names.map((n) => `MEASURE(${n})`).join(', ')} FROM encounters GROUP BY 1 ORDER BY 1`;
    const plain = await httpRows(
      'clinician',
      'SELECT encounterclass, count(*), sum(base_encounter_cost) FROM encounters GROUP BY 1 ORDER BY 1',
    );
    const c = await connect('clinician');
    try {
      for (let round = 0; round < 15; round++) {
        const r = await c.query({ text: sql, rowMode: 'array' });
        expect(r.fields.map((f) => f.name)).toEqual(['encounterclass', ...names]);
        expect(r.rows.map((row) => [row[0], Number(row[1]), row[2]])).toEqual(plain);
      }
    } finally {
      await c.end();
    }
  });
});

describe('governance on the wire, as on /v1/sql', () => {
  it('refuses COPY, LISTEN, writes, ATTACH and AT (...) with SQLSTATEs, and the connection stays usable', async () => {
    const c = await connect('admin');
    try {
      expect(await sqlState(c, 'COPY encounters TO STDOUT')).toBe('0A000');
      expect(await sqlState(c, 'LISTEN changes')).toBe('0A000');
      expect(await sqlState(c, "INSERT INTO encounters (id) VALUES ('x')")).toBe('42501');
      expect(await sqlState(c, 'DELETE FROM encounters')).toBe('42501');
      expect(await sqlState(c, "ATTACH '/tmp/other.duckdb' AS other")).toBe('42501');
      expect(await sqlState(c, 'SELECT count(*) FROM encounters AT (VERSION => 1)')).toBe('42501');
      expect(await sqlState(c, "SELECT * FROM read_csv('/etc/passwd')")).toBe('42501');
      // Mixed with a catalog table, DuckDB's own table functions still go to the gate.
      expect(await sqlState(c, 'SELECT * FROM duckdb_settings(), pg_catalog.pg_class')).toBe('42501');
      expect((await c.query('SELECT count(*) AS n FROM encounters')).rows[0].n).not.toBe('0');
    } finally {
      await c.end();
    }
  });

  it('the analyst never sees a real identifier', async () => {
    const c = await connect('analyst');
    try {
      const seen = await c.query('SELECT id, ssn, first, last, address FROM patients');
      const real = new Set((await httpRows('admin', 'SELECT id FROM patients')).map((r) => r[0]));
      expect(seen.rows.length).toBe(real.size);
      for (const row of seen.rows) {
        expect(real.has(row.id)).toBe(false);
        expect([row.ssn, row.first, row.last, row.address]).toEqual([null, null, null, null]);
      }
    } finally {
      await c.end();
    }
  });

  it("the error side channel: a right guess at a hidden patient's SSN answers as a wrong one", async () => {
    const seenAt = `SELECT 1 FROM encounters e WHERE e.patient = p.id AND e.organization = '${org}'`;
    const [hidden] = await httpRows(
      'admin',
      `SELECT id, ssn FROM patients p WHERE NOT EXISTS (${seenAt}) LIMIT 1`,
    );
    const [visible] = await httpRows(
      'admin',
      `SELECT id, ssn FROM patients p WHERE EXISTS (${seenAt}) LIMIT 1`,
    );
    const probe = (id: unknown, guess: unknown) =>
      `select count(*) from patients where json_extract('1' || left('x', instr(id || '|' || ssn, '${id}|${guess}')), '$') is not null`;
    const c = await connect('clinician');
    const outcome = (sql: string) =>
      c.query(sql).then(
        (r) => ({ rows: r.rows }),
        (e: { code?: string; message?: string }) => ({ code: e.code, message: e.message }),
      );
    try {
      const right = await outcome(probe(hidden?.[0], hidden?.[1]));
      const wrong = await outcome(probe(hidden?.[0], '000-00-0000'));
      expect(right).toEqual(wrong);
      expect(right).toHaveProperty('rows');
      // Aimed at a patient the clinician may see, the probe fails: it is live.
      expect(await outcome(probe(visible?.[0], visible?.[1]))).toHaveProperty('code');
    } finally {
      await c.end();
    }
  });

  it('every statement is audited under the caller, with the SQL that ran', async () => {
    const c = await connect('clinician');
    await c.query("SELECT count(*) FROM encounters WHERE encounterclass = 'audited-probe'");
    await c.end();
    const res = await fetch(`${server.url}/v1/audit?user=clinician&limit=50`, {
      headers: { Authorization: `Bearer ${tokens.auditor}` },
    });
    const records = (await res.json()) as {
      records: Array<{ route: string; question?: string; sql?: string; outcome: string }>;
    };
    const hit = records.records.find((r) => r.route === 'SQL wire' && r.question?.includes('audited-probe'));
    expect(hit?.outcome).toBe('ok');
    expect(hit?.sql).toContain(org);
  });

  it('refuses to listen off loopback without TLS', async () => {
    const r = await serveRefusal(ws, ['--host', '0.0.0.0', '--insecure-http', '--sql-port', '0']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('Refusing the SQL API on 0.0.0.0 without TLS');
  });
});

describe('Python: SQLAlchemy and pandas over psycopg', () => {
  it('inspects tables and columns and reads a grouped query into a DataFrame', async () => {
    const python = await pythonWithClients();
    const probe = join(import.meta.dirname, 'testing', 'sqlalchemy_probe.py');
    const { stdout } = await run(
      python,
      [probe, `postgresql+psycopg://clinician@127.0.0.1:${port}/analyst`],
      { env: { ...process.env, PGPASSWORD: tokens.clinician } },
    );
    const out = JSON.parse(stdout) as {
      tables: string[];
      columns: Array<{ name: string; type: string }>;
      default_schema: string;
      grouped: Array<[string, number]>;
      measure: Array<[string, number]>;
    };
    expect(out.tables).toContain('encounters');
    expect(out.default_schema).toBe('public');
    expect(out.columns.find((x) => x.name === 'start')?.type).toBe('TIMESTAMP');
    // Stop minus start to the second, in minutes: a fraction (float8).
    expect(out.columns.find((x) => x.name === 'duration_minutes')?.type).toBe('DOUBLE PRECISION');
    const expected = await httpRows(
      'clinician',
      'SELECT encounterclass, count(*) AS n FROM encounters GROUP BY encounterclass ORDER BY n DESC, encounterclass',
    );
    expect(out.grouped).toEqual(expected);
    expect(out.measure).toEqual(expected);
  }, 600_000);
});
