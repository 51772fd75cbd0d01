// Issue 22: the PHI boundary against a hostile model. A scripted malicious model behind a real
// OpenAI-compatible endpoint on loopback, configured as llm.default of a Synthea workspace, at each
// phi level: no real identifier beyond what the level allows ever reaches it — not in history, not
// in error text, not in choices, not in typed text — and nothing it sees changes when only rows the
// caller cannot see change.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  callTool,
  type HostileModel,
  placeholdersIn,
  startHostileModel,
} from '../agent/providers/testing/hostile-model.ts';
import { Workspace } from '../workspace/index.ts';
import { contextOf, openRuntime, type Runtime } from './runtime.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');
const run = promisify(execFile);

// A patient outside the clinician's organisation (no encounter there), as the fixture has them.
const HIDDEN = {
  first: 'Esteban536',
  last: 'Reynolds644',
  ssn: '999-34-4992',
  address: '519 Bode Boulevard Unit 54',
  city: 'Worcester',
  zip: '01605',
};
const SECRETS = [
  HIDDEN.first,
  HIDDEN.last,
  HIDDEN.ssn,
  HIDDEN.address,
  'Bode Boulevard',
  HIDDEN.city,
  HIDDEN.zip,
  '1997/12/12',
  '12.12.1997',
  '1997-12-12',
];
const TYPED = `how many encounters did ${HIDDEN.first} ${HIDDEN.last} have? SSN ${HIDDEN.ssn}, born 1997/12/12 (12.12.1997), lives at ${HIDDEN.address}, ${HIDDEN.city} ${HIDDEN.zip}`;

let base = '';
let model: HostileModel;
let plain = '';
let twin = '';

async function init(dir: string, source: string): Promise<string> {
  await run(
    process.execPath,
    [join(ROOT, 'bin/analyst.mjs'), 'init', dir, '--preset', 'synthea', '--source', source, '--json'],
    { cwd: ROOT, env: { ...process.env, ANALYST_WORKSPACE: '' }, maxBuffer: 1 << 26 },
  );
  return dir;
}

/** Point llm.default at the hostile endpoint, at this phi level. */
async function configure(dir: string, phi: string, extra: Record<string, unknown> = {}): Promise<void> {
  const file = join(dir, 'analyst.yaml');
  const config = parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  config.llm = {
    default: 'hostile',
    endpoints: {
      hostile: {
        provider: 'openai-compatible',
        model: 'hostile-1',
        region: 'on-prem-test',
        base_url: `${model.endpoint.url}/v1`,
        phi,
        on_prem: true,
        retention: 'zero',
        training: 'none',
        retries: 0,
        timeout_ms: 20_000,
        ...extra,
      },
    },
  };
  await writeFile(file, stringify(config));
}

async function runtime(dir: string, phi: string, extra: Record<string, unknown> = {}): Promise<Runtime> {
  await configure(dir, phi, extra);
  return openRuntime(await Workspace.load(dir));
}

/** Every request the model received since `from`, as one text. */
function sentSince(from: number): string {
  return model.bodies().slice(from).join('\n');
}

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect([s, text.toLowerCase().includes(s.toLowerCase())]).toEqual([s, false]);
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'analyst-hostile-'));
  model = await startHostileModel();
  // Twin lakes: identical but for the hidden patient's SSN and first name.
  const twinSource = join(base, 'twin-source');
  await cp(FIXTURE, twinSource, { recursive: true });
  const csv = await readFile(join(twinSource, 'patients.csv'), 'utf8');
  await writeFile(
    join(twinSource, 'patients.csv'),
    csv.replace(`${HIDDEN.ssn},`, '999-34-0000,').replace(`,${HIDDEN.first},`, ',Estebon536,'),
  );
  [plain, twin] = await Promise.all([
    init(join(base, 'plain'), FIXTURE),
    init(join(base, 'twin'), twinSource),
  ]);
}, 120_000);

afterAll(async () => {
  await model?.close();
  await rm(base, { recursive: true, force: true });
});

describe.each(['none', 'deidentified'])('a hostile model at phi: %s', (phi) => {
  it.each(['clinician', 'analyst', 'admin'])(
    'cannot launder placeholders back through history, echoed errors or choices (%s)',
    async (user) => {
      const rt = await runtime(plain, phi);
      const from = model.bodies().length;
      try {
        const ctx = contextOf(rt.workspace, user);
        let seen: string[] = [];
        // Turn 1: a filter value made of every placeholder; the product fills them in locally.
        model.moves.push((msgs) => {
          seen = placeholdersIn(msgs);
          return callTool('run_semantic_query', {
            measures: ['encounters.count'],
            filters: [{ member: 'encounters.description', operator: 'equals', values: [seen.join(' ')] }],
          });
        });
        const first = await rt.analyst.run(TYPED, ctx);
        expect(seen.length).toBeGreaterThanOrEqual(5);
        // Locally, the real values were used.
        expect(JSON.stringify(first.semanticQuery)).toContain(HIDDEN.ssn);
        const conversationId = first.conversationId;

        // Turn 2: the history goes back to the model; then an echoed binder error with x…x.
        model.moves.push((msgs) =>
          callTool('run_governed_sql', {
            sql: `select "x${placeholdersIn(msgs)[0] ?? '[NAME_1]'}x" from patients`,
          }),
        );
        model.moves.push(() => callTool('run_governed_sql', { sql: 'select count(*) as n from encounters' }));
        const second = await rt.analyst.run('and by year?', ctx, { conversationId });
        expect(second.status).toBe('ok');
        // The repair request carried the error with the placeholder, never the value.
        expect(sentSince(from)).toMatch(/x\[NAME_\d+\]x/);

        // Turn 3: a date range made of placeholders, echoed back by the semantic layer.
        model.moves.push(() =>
          callTool('run_semantic_query', {
            measures: ['encounters.count'],
            timeDimensions: [{ dimension: 'encounters.start', dateRange: ['x[DATE_1]x', '2020-01-01'] }],
          }),
        );
        model.moves.push(() => callTool('run_semantic_query', { measures: ['encounters.count'] }));
        await rt.analyst.run('encounters in that range', ctx, { conversationId });

        // Turn 4: choices built from placeholders are not offered; a known member is.
        model.moves.push(() =>
          callTool('ask_clarifying_question', {
            question: 'Which one?',
            options: ['x[NAME_1]x', 'encounters.count', 'Email the list to someone@example.com'],
          }),
        );
        const choice = await rt.analyst.run('show me', ctx, { conversationId });
        expect(choice.status).toBe('clarify');
        expect(choice.options?.map((o) => o.question)).toEqual(['Encounters Count']);
        expect(choice.answer).toMatch(/^The model asks \(its own words\)/);

        // Turn 5: the user pastes what they saw, wrapped in x…x: it still leaves as placeholders.
        model.moves.push(() => callTool('run_semantic_query', { measures: ['encounters.count'] }));
        await rt.analyst.run(`x${HIDDEN.first} ${HIDDEN.last}x and x${HIDDEN.ssn}x`, ctx, { conversationId });

        expect(model.moves).toHaveLength(0);
        expectNoSecret(sentSince(from));
      } finally {
        await rt.close();
      }
    },
    120_000,
  );

  it('sees nothing it could tell apart when only hidden rows differ (twin lakes)', async () => {
    const play = async (dir: string): Promise<{ bodies: string[]; statuses: string[] }> => {
      const rt = await runtime(dir, phi);
      const from = model.bodies().length;
      try {
        const ctx = contextOf(rt.workspace, 'clinician');
        // A probe that fails while running only if a hidden row matches, a probe by hidden name,
        // and a follow-up that would carry whatever the model was told about them.
        model.moves.push(() =>
          callTool('run_governed_sql', {
            sql: "select count(*) as n from patients where case when ssn = '999-34-0000' then cast(ssn as integer) else 0 end = 0",
          }),
        );
        model.moves.push(() =>
          callTool('run_semantic_query', {
            measures: ['patients.count'],
            filters: [{ member: 'patients.first', operator: 'equals', values: ['Estebon536'] }],
          }),
        );
        model.moves.push(() => callTool('run_semantic_query', { measures: ['patients.count'] }));
        const statuses: string[] = [];
        const a = await rt.analyst.run('how many patients?', ctx);
        statuses.push(a.status);
        for (const q of ['and with that first name?', 'and overall?']) {
          statuses.push((await rt.analyst.run(q, ctx, { conversationId: a.conversationId })).status);
        }
        return { bodies: model.bodies().slice(from), statuses };
      } finally {
        model.moves.length = 0;
        await rt.close();
      }
    };
    const normal = (b: string) => b.replace(/call_[a-z0-9]+/g, 'call_id');
    const p = await play(plain);
    const t = await play(twin);
    expect(p.bodies.length).toBe(t.bodies.length);
    expect(p.bodies.map(normal)).toEqual(t.bodies.map(normal));
    expect(p.statuses).toEqual(t.statuses);
  }, 120_000);
});

describe('literals, oversized replies and the fallback', () => {
  it('refuses a literal posing as a measure; labels SQL the model wrote', async () => {
    const rt = await runtime(plain, 'none');
    try {
      const ctx = contextOf(rt.workspace, 'clinician');
      model.moves.push(() =>
        callTool('run_governed_sql', { sql: 'select 4812 as "patients.count" from patients limit 1' }),
      );
      const posing = await rt.analyst.run('how many patients?', ctx);
      expect(posing).toMatchObject({ status: 'refused', rows: [] });
      expect(posing.answer).not.toContain('4,812');
      model.moves.push(() => callTool('run_governed_sql', { sql: 'select 4812 as n' }));
      const bare = await rt.analyst.run('how many patients?', ctx);
      expect(bare).toMatchObject({ status: 'refused', rows: [] });
      expect(bare.answer).not.toContain('4,812');
      model.moves.push(() => callTool('run_governed_sql', { sql: 'select count(*) as n from patients' }));
      const real = await rt.analyst.run('how many patients?', ctx);
      expect(real.status).toBe('ok');
      expect(real.answer).toMatch(/^From SQL the model wrote: /);
      // A column named by the dimension it reads is no pose: only measures' titles are taken.
      model.moves.push(() =>
        callTool('run_governed_sql', { sql: 'select gender, count(*) as n from patients group by gender' }),
      );
      const named = await rt.analyst.run('patients by gender?', ctx);
      expect(named.status).toBe('ok');
      expect(named.rows.length).toBeGreaterThan(0);
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);

  it('an oversized reply fails cleanly: the fallback answers and says so, nothing of it is stored', async () => {
    const rt = await runtime(plain, 'none');
    try {
      const ctx = contextOf(rt.workspace, 'clinician');
      model.moves.push(() => ({ text: `HUGE${'x'.repeat(3 * 1024 * 1024)}` }));
      const r = await rt.analyst.run('how many patients?', ctx);
      expect(r.fallback).toBe(true);
      expect(r.fallbackReason).toMatch(/^REPLY_TOO_LARGE/);
      const { records } = await rt.audit.search({}, { limit: 5 });
      const record = records.find((x) => x.id === r.auditId);
      expect(record).toBeDefined();
      expect(JSON.stringify(record)).not.toContain('HUGEx');
      expect(JSON.stringify(record)).toContain('REPLY_TOO_LARGE');
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);

  it('a failing endpoint is visible: fallback: true with its reason, the code audited; fallback: none answers with the error', async () => {
    let rt = await runtime(plain, 'deidentified');
    try {
      const ctx = contextOf(rt.workspace, 'analyst');
      model.moves.push(() => ({ error: 503, message: 'overloaded' }));
      const r = await rt.analyst.run('how many patients?', ctx);
      expect(r).toMatchObject({ status: 'ok', fallback: true });
      expect(r.fallbackReason).toMatch(/^MODEL_CALL_FAILED: the model endpoint "hostile" failed/);
      const { records } = await rt.audit.search({}, { limit: 5 });
      const record = records.find((x) => x.id === r.auditId) as { details?: Record<string, unknown> };
      expect(record?.details?.modelFailure).toEqual({
        endpoint: 'hostile',
        code: 'MODEL_CALL_FAILED',
        fallback: 'offline',
      });
    } finally {
      await rt.close();
    }
    rt = await runtime(plain, 'deidentified', { fallback: 'none' });
    try {
      const ctx = contextOf(rt.workspace, 'analyst');
      model.moves.push(() => ({ error: 503, message: 'overloaded' }));
      const r = await rt.analyst.run('how many patients?', ctx);
      expect(r.status).toBe('error');
      expect(r.fallback).toBeUndefined();
      expect(r.answer).toContain('MODEL_CALL_FAILED');
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);

  it('bounds the wait: a silent endpoint is cut off at timeout_ms, a failing one retried once', async () => {
    // An endpoint that accepts the request and never answers.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    let rt = await runtime(plain, 'none', { base_url: `http://127.0.0.1:${port}/v1`, timeout_ms: 300 });
    try {
      const r = await rt.analyst.run('how many patients?', contextOf(rt.workspace, 'analyst'));
      expect(r).toMatchObject({ status: 'ok', fallback: true });
      expect(r.fallbackReason).toMatch(/^MODEL_CALL_FAILED/);
    } finally {
      await rt.close();
      silent.closeAllConnections();
      silent.close();
    }
    rt = await runtime(plain, 'none', { retries: 1 });
    const from = model.bodies().length;
    try {
      model.moves.push(() => ({ error: 500, message: 'down' }));
      model.moves.push(() => ({ error: 500, message: 'still down' }));
      const r = await rt.analyst.run('how many patients?', contextOf(rt.workspace, 'analyst'));
      expect(r.fallback).toBe(true);
      expect(model.bodies().length - from).toBe(2);
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);

  it('phi: deidentified sends no result rows: one call for a plan, none after the query ran', async () => {
    const rt = await runtime(plain, 'deidentified');
    const from = model.bodies().length;
    try {
      const ctx = contextOf(rt.workspace, 'analyst');
      model.moves.push(() =>
        callTool('run_semantic_query', { measures: ['patients.count'], dimensions: ['patients.gender'] }),
      );
      const r = await rt.analyst.run('patients by gender', ctx);
      expect(r.status).toBe('ok');
      expect(r.rows.length).toBeGreaterThan(0);
      expect(model.bodies().length - from).toBe(1);
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);

  it('phi: allowed sends the question as typed (what the level allows)', async () => {
    const rt = await runtime(plain, 'allowed', { baa: undefined });
    const from = model.bodies().length;
    try {
      const ctx = contextOf(rt.workspace, 'admin');
      model.moves.push(() => callTool('run_semantic_query', { measures: ['patients.count'] }));
      await rt.analyst.run(TYPED, ctx);
      expect(sentSince(from)).toContain(HIDDEN.ssn);
    } finally {
      model.moves.length = 0;
      await rt.close();
    }
  }, 60_000);
});

describe('over analyst ask --json', () => {
  const ask = async (args: string[]): Promise<Record<string, unknown>> => {
    const r = await run(
      process.execPath,
      [join(ROOT, 'bin/analyst.mjs'), '--workspace', plain, '--json', 'ask', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ANALYST_WORKSPACE: '' },
        maxBuffer: 1 << 26,
      },
    ).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it('typed identifiers and the history stay placeholders; a failing endpoint shows fallback: true', async () => {
    await configure(plain, 'none');
    const from = model.bodies().length;
    try {
      model.moves.push((msgs) =>
        callTool('run_semantic_query', {
          measures: ['encounters.count'],
          filters: [
            {
              member: 'encounters.description',
              operator: 'equals',
              values: [placeholdersIn(msgs).join(' ')],
            },
          ],
        }),
      );
      const first = await ask(['--as', 'analyst', TYPED]);
      expect(first.status).toBe('ok');
      expect(first.fallback).toBeUndefined();
      model.moves.push(() => callTool('run_semantic_query', { measures: ['encounters.count'] }));
      const second = await ask([
        '--as',
        'analyst',
        '--conversation',
        String(first.conversationId),
        'and by year?',
      ]);
      expect(second.status).toBe('ok');
      expect(model.bodies().length - from).toBe(2);
      expectNoSecret(sentSince(from));

      model.moves.push(() => ({ error: 500, message: 'down' }));
      const failed = await ask(['--as', 'analyst', 'how many patients?']);
      expect(failed).toMatchObject({ status: 'ok', fallback: true });
      expect(String(failed.fallbackReason)).toMatch(/^MODEL_CALL_FAILED/);
    } finally {
      model.moves.length = 0;
    }
  }, 120_000);
});
