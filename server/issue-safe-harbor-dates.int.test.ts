// Issue 13 B2: the bundled `analyst` role could rebuild exact birth dates (first encounters of
// newborns), death dates (last encounters) and ages from plain service dates and real patient ids.
// Replayed against a served `--preset synthea` workspace on every path (governed SQL over HTTP and
// the CLI, Cube's API, chat, a dashboard drill-down and its CSV): nothing exact comes back, record
// keys are keyed pseudonyms (HMAC with the workspace key), and per-patient counts and joins still
// work through them. Admin sees the exact values (unchanged).
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pseudonymKey } from '../lakehouse/index.ts';
import {
  analystExit,
  devToken,
  type LiveServer,
  postJson,
  startServer,
  syntheaWorkspace,
} from './testing/live-server.ts';

let root = '';
let ws = '';
let server: LiveServer;
const tokens: Record<string, string> = {};
/** Real record keys (patients and encounters) and every exact person-level date, as admin sees them. */
const realIds = new Set<string>();
const exactDates = new Set<string>();
let birthFromFirstEncounter = 0;
/** `analyst sql --as analyst`, run before the server holds the lake. */
let cli: { code: number; stdout: string; stderr: string };

type Rows = { columns: Array<{ name: string }>; rows: unknown[][] };

async function sql(user: string, statement: string): Promise<Rows> {
  const r = await postJson(`${server.url}/v1/sql`, tokens[user] as string, { sql: statement });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as Rows;
}

const DAY = /\d{4}-\d{2}-\d{2}/g;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every date-looking value in a text, as YYYY-MM-DD. */
function datesIn(text: string): string[] {
  return text.match(DAY) ?? [];
}

/** What the analyst got must hold no exact date (only 1 January of a year) and no real record key. */
function expectDeidentified(payload: unknown, where: string): void {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const finer = datesIn(text).filter((d) => d.slice(5) !== '01-01');
  expect(finer.slice(0, 5), `${where}: dates finer than a year`).toEqual([]);
  // Record keys are UUIDs (checked below); a pseudonym is 32 hex digits without dashes.
  const real = (text.match(UUID) ?? []).filter((t) => realIds.has(t));
  expect(real.slice(0, 5), `${where}: real record keys`).toEqual([]);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'safe-harbor-'));
  ws = await syntheaWorkspace(join(root, 'ws'));
  cli = await analystExit([
    'sql',
    '--workspace',
    ws,
    '--as',
    'analyst',
    '--json',
    'SELECT patient, min(start), max(stop) FROM encounters GROUP BY 1',
  ]);
  server = await startServer(ws);
  for (const u of ['admin', 'analyst']) tokens[u] = await devToken(ws, u);
  for (const [id] of (await sql('admin', 'SELECT id FROM patients UNION ALL SELECT id FROM encounters')).rows)
    realIds.add(String(id));
  const dates = await sql(
    'admin',
    `SELECT strftime(birthdate, '%Y-%m-%d') FROM patients UNION SELECT strftime(deathdate, '%Y-%m-%d') FROM patients
     UNION SELECT strftime(start, '%Y-%m-%d') FROM encounters UNION SELECT strftime(stop, '%Y-%m-%d') FROM encounters`,
  );
  for (const [d] of dates.rows) if (d) exactDates.add(String(d));
  // The attack works as admin: newborn visits give exact birth dates.
  const admin = await sql(
    'admin',
    `SELECT count(*) FROM patients p JOIN (SELECT patient, min(start) AS first FROM encounters GROUP BY 1) e
       ON e.patient = p.id WHERE CAST(e.first AS DATE) = CAST(p.birthdate AS DATE)`,
  );
  birthFromFirstEncounter = Number(admin.rows[0]?.[0]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('Safe Harbor for analyst: the rebuild attacks return nothing exact', () => {
  it('admin can still rebuild the dates (the attack is real on this data)', () => {
    expect(birthFromFirstEncounter).toBeGreaterThan(0);
    expect(realIds.size).toBeGreaterThan(100);
    for (const id of realIds) expect(id).toMatch(new RegExp(`^${UUID.source}$`, 'i'));
  });

  it('governed SQL: first and last encounters, deaths, ages and a month grouping give years only', async () => {
    const attacks = [
      // Birth dates from first encounters, death dates from last encounters.
      `SELECT p.id, p.birthdate, p.deathdate, min(e.start) AS first_seen, max(e.stop) AS last_seen
         FROM patients p JOIN encounters e ON e.patient = p.id GROUP BY ALL`,
      // Ages in days from service dates.
      `SELECT e.patient, date_diff('day', p.birthdate, e.start) AS age_days, e.start, e.stop
         FROM encounters e JOIN patients p ON p.id = e.patient`,
      // A GROUP BY month over a masked date: the mask applies before grouping.
      `SELECT date_trunc('month', start) AS m, date_trunc('day', stop) AS d, count(*) FROM encounters GROUP BY ALL`,
      `SELECT patient, strftime(start, '%Y-%m-%d %H:%M') AS s, epoch(stop) AS e FROM conditions`,
      'SELECT * FROM encounters',
    ];
    for (const statement of attacks) {
      const r = await sql('analyst', statement);
      expect(r.rows.length, statement).toBeGreaterThan(0);
      expectDeidentified(r.rows, statement);
      // Epoch seconds and formatted times are dates too: only midnight of 1 January.
      for (const row of r.rows)
        for (const v of row)
          if (typeof v === 'number' && v > 1e8)
            expect(new Date(v * 1000).toISOString()).toMatch(/-01-01T00:00/);
    }
    const months = await sql(
      'analyst',
      'SELECT DISTINCT month(start), day(start), hour(start) FROM encounters',
    );
    expect(months.rows).toEqual([[1, 1, 0]]);
    // The newborn attack finds nobody: a birth year equal to a first-visit year is all that is left.
    const exact = await sql(
      'analyst',
      `SELECT count(*) FROM patients p JOIN (SELECT patient, min(start) AS first FROM encounters GROUP BY 1) e
         ON e.patient = p.id WHERE strftime(e.first, '%m-%d') <> '01-01'`,
    );
    expect(exact.rows).toEqual([[0]]);
  });

  it('the CLI (analyst sql --as analyst) gives the same years and pseudonyms', () => {
    expect(cli.code, cli.stderr).toBe(0);
    const body = JSON.parse(cli.stdout) as Rows & { status: string };
    expect(body.status).toBe('ok');
    expect(body.rows.length).toBeGreaterThan(50);
    expectDeidentified(body.rows, 'analyst sql');
  });

  it('record keys are keyed pseudonyms: HMAC with the workspace key, never the key or the id', async () => {
    const workspaceKey = (await readFile(join(ws, 'keys', 'workspace.key'), 'utf8')).trim();
    const key = pseudonymKey(workspaceKey);
    const admin = await sql('admin', 'SELECT id FROM patients ORDER BY id');
    const analyst = await sql('analyst', 'SELECT id FROM patients ORDER BY id');
    const expected = admin.rows
      .map(([id]) => createHmac('sha256', key).update(String(id)).digest('hex').slice(0, 32))
      .sort();
    expect(analyst.rows.map(([p]) => String(p)).sort()).toEqual(expected);
    const executed = await postJson(`${server.url}/cubejs-api/v1/sql`, tokens.analyst as string, {
      query: { dimensions: ['patients.id'] },
    });
    expect(executed.status).toBe(200);
    const text = JSON.stringify(executed.body);
    expect(text).toContain('analyst_pseudonym');
    expect(text.includes(workspaceKey)).toBe(false);
    expect(text.includes(key.toString('hex'))).toBe(false);
  });

  it('per-patient counts and joins still work through pseudonyms', async () => {
    const perPatient = async (user: string) =>
      (
        await sql(
          user,
          `SELECT count(*) AS n FROM encounters e JOIN patients p ON p.id = e.patient
             JOIN conditions c ON c.encounter = e.id GROUP BY e.patient ORDER BY n`,
        )
      ).rows.map(([n]) => Number(n));
    const [asAdmin, asAnalyst] = await Promise.all([perPatient('admin'), perPatient('analyst')]);
    expect(asAnalyst.length).toBeGreaterThan(50);
    expect(asAnalyst).toEqual(asAdmin);
    const distinct = await sql(
      'analyst',
      'SELECT count(DISTINCT patient), count(DISTINCT id) FROM encounters',
    );
    const distinctAdmin = await sql(
      'admin',
      'SELECT count(DISTINCT patient), count(DISTINCT id) FROM encounters',
    );
    expect(distinct.rows).toEqual(distinctAdmin.rows);
  });

  it("Cube's API: days of masked dates are 1 January; patient keys are pseudonyms", async () => {
    const queries = [
      {
        dimensions: ['encounters.patient'],
        measures: ['encounters.count'],
        timeDimensions: [{ dimension: 'encounters.start', granularity: 'day' }],
        limit: 5000,
      },
      { dimensions: ['patients.id', 'patients.birthdate', 'patients.deathdate'], limit: 5000 },
      {
        dimensions: ['encounters.patient', 'encounters.start', 'encounters.stop'],
        ungrouped: true,
        limit: 5000,
      },
    ];
    for (const query of queries) {
      const r = await postJson(`${server.url}/cubejs-api/v1/load`, tokens.analyst as string, { query });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      const data = (r.body as { data: unknown[] }).data;
      expect(data.length).toBeGreaterThan(10);
      expectDeidentified(data, JSON.stringify(query));
    }
  });

  it('chat: a finer grain is asked back, a yearly count answers, nothing exact or real comes back', async () => {
    const ask = async (question: string) => {
      const r = await postJson(`${server.url}/v1/chat`, tokens.analyst as string, { question });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
      return r.body as { status: string; answer: string; rows: unknown[][] };
    };
    const monthly = await ask('encounters by month in 2020');
    expect(monthly.status).toBe('clarify');
    expect(monthly.answer).toMatch(/year only/);
    const yearly = await ask('encounters per year');
    expect(yearly.status).toBe('ok');
    expect(yearly.rows.length).toBeGreaterThan(5);
    for (const q of ['encounters per year', 'which patients have died?', 'first encounter of each patient']) {
      expectDeidentified(await ask(q), q);
    }
  });

  it('dashboards: a drill-down and its CSV show years and pseudonyms', async () => {
    const base = `${server.url}/v1/dashboards/synthea/tiles/patients-seen`;
    const drill = await postJson(`${base}/drill`, tokens.analyst as string, { filters: {}, point: {} });
    expect(drill.status, JSON.stringify(drill.body).slice(0, 300)).toBe(200);
    const rows = (drill.body as { rows: unknown[][] }).rows;
    expect(rows.length).toBeGreaterThan(10);
    expectDeidentified(rows, 'drill');
    const csv = await fetch(`${base}/csv`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.analyst}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filters: {}, drill: { point: {} } }),
    });
    expect(csv.status).toBe(200);
    const text = await csv.text();
    expect(text.split('\n').length).toBeGreaterThan(10);
    expectDeidentified(text, 'csv');
    // Admin's drill is unchanged: exact days and real keys.
    const adminDrill = await postJson(`${base}/drill`, tokens.admin as string, { filters: {}, point: {} });
    const adminText = JSON.stringify((adminDrill.body as { rows: unknown[][] }).rows);
    expect(datesIn(adminText).some((d) => d.slice(5) !== '01-01' && exactDates.has(d))).toBe(true);
    expect((adminText.match(UUID) ?? []).some((id) => realIds.has(id))).toBe(true);
  });
});
