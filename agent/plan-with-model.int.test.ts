// The model path over the bundled model and the real gate on the Synthea fixture, with a fake
// OpenAI-compatible endpoint on loopback speaking the real wire protocol: the prompt carries the top
// of the caller's model, the values the question names and the verified queries like it (not the
// whole schema); the model answers with submit_interpretation, which the interpreter's compiler
// turns into governed SQL run under the caller's policies; a wrong or hostile input is refused.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate } from '../gate/index.ts';
import { type SecurityContext, SemanticLayer } from '../semantic/index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../semantic/testing/index.ts';
import {
  Analyst,
  type AskResult,
  ConversationStore,
  createChatModel,
  semanticAgentDeps,
  VerifiedQueryStore,
  valueIndex,
} from './index.ts';
import { buildLexicon, interpret, type LexiconCube } from './interpreter/index.ts';
import { type FakeEndpoint, jsonBody, startFakeEndpoint } from './providers/testing/fake-endpoint.ts';
import { openaiWire } from './providers/testing/wire-openai.ts';

const dir = mkdtempSync(join(tmpdir(), 'model-path-int-'));
const modelDir = join(dir, 'model');
let fx: FixtureLake;
let fake: FakeEndpoint;
let analyst: Analyst;
let store: ConversationStore;
let model: ReturnType<typeof createChatModel>;
let org: string;
let semantic: SemanticLayer;
let gate: Gate<SecurityContext>;
const sqls: string[] = [];

const median2021 = {
  kind: 'distribution',
  cube: 'encounters',
  filters: [{ member: 'encounters.encounterclass', op: 'in', values: ['emergency'] }],
  time: { member: 'encounters.start', from: '2021-01-01', to: '2021-12-31', label: '2021' },
  value: 'encounters.total_claim_cost',
  stat: 'median',
};
const MEDIAN_SQL =
  "SELECT median(total_claim_cost) FROM encounters WHERE encounterclass = 'emergency' AND start >= '2021-01-01' AND start <= '2021-12-31'";

beforeAll(async () => {
  cpSync(SYNTHEA_MODEL_DIR, modelDir, { recursive: true });
  const verified = new VerifiedQueryStore(modelDir);
  await verified.save({
    question: 'Median claim cost of emergency encounters in 2020',
    sql: "SELECT median(total_claim_cost) AS median FROM encounters WHERE encounterclass = 'emergency' AND year(start) = 2020",
    author: 'alice',
    date: '2026-03-01',
  });
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, {
    only: ['encounters', 'patients', 'organizations', 'providers', 'payers'],
  });
  semantic = await SemanticLayer.load({ modelDir, lake: fx.lake });
  gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...semantic.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
  fake = await startFakeEndpoint(openaiWire(/^\/v1\/chat\/completions$/));
  model = createChatModel(
    'onprem',
    {
      provider: 'openai-compatible',
      model: 'llama-test',
      region: 'on-prem-test',
      base_url: `${fake.url}/v1`,
      phi: 'deidentified',
      on_prem: true,
      retention: 'zero',
      training: 'none',
    },
    { env: { OPENAI_COMPATIBLE_API_KEY: 'vllm-token' }, maxRetries: 0 },
  );
  const deps = semanticAgentDeps({
    semantic,
    gate,
    verifiedQueries: async () => (await verified.list()).queries,
  });
  const runSql = deps.runSql;
  deps.runSql = async (sql, ctx) => {
    sqls.push(sql);
    return runSql(sql, ctx);
  };
  store = ConversationStore.open({ path: join(dir, 'conv.db'), workspaceKey: 'k'.repeat(32) });
  analyst = Analyst.create({ deps, store, model, fallbackToOffline: false });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]?.[0],
  );
}, 120_000);
afterAll(async () => {
  await model?.close();
  await fake?.close();
  await store?.close();
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(question: string, ctx: SecurityContext): Promise<AskResult> {
  for await (const e of analyst.ask(question, ctx)) if (e.type === 'result') return e.result;
  throw new Error('no result');
}

describe('the model path with submit_interpretation', () => {
  it('sends the top of the model, the named values and like verified queries, and runs the compiled form', async () => {
    const from = fake.requests.length;
    fake.script.push({ toolCall: { name: 'submit_interpretation', args: median2021 } });
    const r = await ask('median claim cost of emergency encounters in 2021', contextFor('analyst'));
    expect(r.status, r.answer).toBe('ok');
    expect(Number(r.rows[0]?.[0])).toBeCloseTo(Number((await fx.lake.query(MEDIAN_SQL)).rows[0]?.[0]), 6);
    expect(r.interpretation).toMatch(/^Median of Total Claim Cost/);
    expect(r.interpretation).toContain('2021');
    expect(r.answer).not.toContain('From SQL the model wrote');

    const body = jsonBody(fake.requests[from]!) as {
      tools: Array<{ function: { name: string } }>;
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.tools.map((t) => t.function.name)).toContain('submit_interpretation');
    const prompt = body.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('encounters.total_claim_cost');
    expect(prompt).toContain('"value":"emergency"');
    // The dimension of a value the question names comes along, so the model can filter on it.
    expect(prompt).toContain('"name":"encounters.encounterclass"');
    // The verified query like it travels as an example; the top-k, not the whole model.
    expect(prompt).toContain('Median claim cost of emergency encounters in 2020');
    expect(prompt).not.toContain('organizations.revenue');
    expect(prompt).not.toContain('providers.speciality');
  });

  it('gives the interpreter’s own interpretation and rows when the model submits the form it would read', async () => {
    const question = 'what share of encounters were emergencies in 2021?';
    const ctx = contextFor('analyst');
    const meta = semantic.meta(ctx).cubes.filter((c) => c.isVisible !== false) as unknown as LexiconCube[];
    const lexicon = buildLexicon(meta, await valueIndex(semantic, gate, ctx));
    const offline = interpret(question, lexicon, new Date());
    if (offline.kind !== 'form')
      throw new Error(`the interpreter did not read it: ${JSON.stringify(offline)}`);
    fake.script.push({
      toolCall: { name: 'submit_interpretation', args: JSON.parse(JSON.stringify(offline.form)) },
    });
    const r = await ask(question, ctx);
    expect(r.status, r.answer).toBe('ok');
    expect(r.interpretation).toBe(offline.interpretation);
    expect(r.rows).toEqual((await gate.governedSql(offline.sql, ctx)).rows);
  });

  it('runs a comparison of two groups and a statistic per entity the model submits, as the interpreter reads them', async () => {
    const ctx = contextFor('analyst');
    const meta = semantic.meta(ctx).cubes.filter((c) => c.isVisible !== false) as unknown as LexiconCube[];
    const lexicon = buildLexicon(meta, await valueIndex(semantic, gate, ctx));
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        'average claim cost of inpatient vs emergency encounters',
        { kind: 'comparison', groups: [{ label: 'inpatient' }, { label: 'emergency' }] },
        "SELECT avg(total_claim_cost) FILTER (WHERE encounterclass = 'inpatient'), avg(total_claim_cost) FILTER (WHERE encounterclass = 'emergency') FROM encounters",
      ],
      [
        'median number of encounters per patient',
        { kind: 'distribution', stat: 'median', per: { entity: 'patients' } },
        'SELECT median(n) FROM (SELECT patient, count(*) AS n FROM encounters WHERE patient IS NOT NULL GROUP BY 1)',
      ],
    ];
    for (const [question, shape, gold] of cases) {
      const offline = interpret(question, lexicon, new Date());
      if (offline.kind !== 'form') throw new Error(`${question}: ${JSON.stringify(offline)}`);
      // The form as a model writes it: the reader's word positions are no part of it.
      const { at: _at, ...form } = offline.form as typeof offline.form & { at?: unknown };
      expect(form, question).toMatchObject(shape);
      const from = fake.requests.length;
      fake.script.push({
        toolCall: { name: 'submit_interpretation', args: JSON.parse(JSON.stringify(form)) },
      });
      const r = await ask(question, ctx);
      expect(r.status, `${question}: ${r.answer}`).toBe('ok');
      expect(fake.requests.length, question).toBe(from + 1);
      expect(r.interpretation, question).toBe(offline.interpretation);
      // The interpreter's own statement ran, and its figures are those counted from the rows by hand
      // (floating sums may differ in the last digits between runs).
      expect(sqls.at(-1), question).toBe(offline.sql);
      const numbers = (rows: unknown[][]) => rows.flat().filter((x) => typeof x === 'number');
      const want = numbers((await fx.lake.query(gold)).rows as unknown[][]);
      const got = numbers(r.rows as unknown[][]);
      expect(got.length, question).toBe(want.length);
      got.forEach((x, i) => {
        expect(x, question).toBeCloseTo(Number(want[i]), 6);
      });
    }
  });

  it('runs the same interpretation under a clinician’s row policy', async () => {
    fake.script.push({ toolCall: { name: 'submit_interpretation', args: { ...median2021, filters: [] } } });
    const clinician = contextFor('clinician', { organization_id: org });
    const r = await ask('median claim cost of encounters in 2021', clinician);
    expect(r.status, r.answer).toBe('ok');
    const theirs = await fx.lake.query(
      `SELECT median(total_claim_cost) FROM encounters WHERE organization = '${org}' AND start >= '2021-01-01' AND start <= '2021-12-31'`,
    );
    expect(Number(r.rows[0]?.[0])).toBeCloseTo(Number(theirs.rows[0]?.[0]), 6);
  });

  it('feeds a wrong interpretation back with the reason, and runs the corrected one', async () => {
    const from = fake.requests.length;
    fake.script.push(
      {
        toolCall: { name: 'submit_interpretation', args: { ...median2021, value: 'encounters.secret_cost' } },
      },
      { toolCall: { name: 'submit_interpretation', args: median2021 } },
    );
    const r = await ask('median claim cost of emergency encounters in 2021', contextFor('analyst'));
    expect(r.status, r.answer).toBe('ok');
    const second = fake.requests[from + 1]!.body;
    expect(second).toContain('Not a valid interpretation');
    expect(second).toMatch(/value: no member .{1,8}encounters\.secret_cost.{1,8} the caller may see/);
  });

  it('refuses a hostile interpretation cleanly: nothing runs, the answer says why', async () => {
    const before = sqls.length;
    fake.script.push({
      toolCall: {
        name: 'submit_interpretation',
        args: {
          kind: 'lookup',
          cube: 'patients',
          key: 'patients.id',
          id: 'x',
          attributes: ['patients.id'],
          sql: 'DROP TABLE patients',
        },
      },
    });
    const r = await ask('show patient x', contextFor('analyst'));
    expect(r.status).toBe('error');
    expect(r.answer).toContain('TOOL_ARGS_INVALID');
    expect(r.rows).toEqual([]);
    expect(sqls.length).toBe(before);

    // Well-formed but about what the caller may not see, every try: refused with the reason.
    fake.script.push(
      ...[0, 1, 2, 3].map(() => ({
        toolCall: { name: 'submit_interpretation', args: { ...median2021, cube: 'claims_secret' } },
      })),
    );
    const again = await ask('median claim cost of emergency encounters in 2021', contextFor('analyst'));
    expect(again.status).toBe('error');
    expect(again.answer).toContain('The model\'s interpretation was refused: cube: no cube "claims_secret"');
    expect(sqls.length).toBe(before);
  });
});
