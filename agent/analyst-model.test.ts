// The graph with a scripted chat model behind the covered wrapper: tool loops, repair after a SQL
// error fed back, clarification, follow-ups, and for a phi: none endpoint no identifier leaves.
import { AIMessage } from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import { type AgentDeps, Analyst, type CallerContext, ConversationStore, type MetaCube } from './index.ts';
import { CoveredChatModel } from './providers/index.ts';
import { ScriptedChatModel } from './providers/testing/scripted-chat-model.ts';

const CANARY_NAME = 'Zebulon Canary';
const CANARY_SSN = '999-00-1234';

const cubes: MetaCube[] = [
  {
    name: 'patients',
    title: 'Patients',
    measures: [{ name: 'patients.count', title: 'Patients', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'patients.gender', title: 'Gender', type: 'string' },
      { name: 'patients.last', title: 'Last name', type: 'string', meta: { phi: 'direct' } },
    ],
  },
];

function setup(script: AIMessage[], phi: 'none' | 'allowed' = 'none', overrides: Partial<AgentDeps> = {}) {
  const scripted = new ScriptedChatModel(script);
  const model = CoveredChatModel.wrap(scripted, {
    endpoint: 'test-endpoint',
    provider: 'scripted',
    model: 'fake-1',
    phi,
  });
  const sqls: string[] = [];
  const audits: Array<Record<string, unknown>> = [];
  const deps: AgentDeps = {
    meta: async () => cubes,
    values: async () => [{ dimension: 'patients.gender', values: ['F', 'M'] }],
    identifiers: async () => [CANARY_NAME],
    runSemantic: async (q) => ({
      columns: q.dimensions?.length
        ? [
            { name: 'patients.gender', type: 'VARCHAR' },
            { name: 'patients.count', type: 'BIGINT' },
          ]
        : [{ name: 'patients.count', type: 'BIGINT' }],
      rows: q.dimensions?.length
        ? [
            ['F', 60],
            ['M', 50],
          ]
        : [[110]],
      sql: 'SELECT …',
    }),
    runSql: async (sql) => {
      sqls.push(sql);
      if (sql.includes('bad_column'))
        throw Object.assign(new Error('The query is not valid: Binder Error: column bad_column not found'), {
          code: 'SQL_FAILED',
          exitCode: 1,
        });
      return {
        columns: [{ name: 'n', type: 'BIGINT' }],
        rows: [[42]],
        sqlExecuted: sql,
        relations: ['patients'],
      };
    },
    audit: async (entry) => {
      audits.push(entry as unknown as Record<string, unknown>);
      return `a${audits.length}`;
    },
    ...overrides,
  };
  const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
  return { analyst: Analyst.create({ deps, store, model }), scripted, sqls, audits, store };
}

const call = (name: string, args: Record<string, unknown>, id = `c${Math.random()}`) =>
  new AIMessage({ content: '', tool_calls: [{ id, name, args }] });
const ctx: CallerContext = { userId: 'dr-a', roles: ['clinician'], attributes: {} };

describe('Analyst with a model endpoint', () => {
  it('loops through a search, then runs the semantic query the model chose', async () => {
    const { analyst, scripted, audits, store } = setup([
      call('search_semantic_model', { text: 'patients gender' }),
      call('run_semantic_query', { measures: ['patients.count'], dimensions: ['patients.gender'] }),
    ]);
    const r = await analyst.run('how many patients per gender?', ctx);
    expect(r).toMatchObject({
      status: 'ok',
      rows: [
        ['F', 60],
        ['M', 50],
      ],
      semanticQuery: { measures: ['patients.count'], dimensions: ['patients.gender'] },
    });
    expect(scripted.received.length).toBe(2);
    expect(audits[0]).toMatchObject({ endpoint: 'test-endpoint', modelId: 'fake-1' });
    expect(String(audits[0]?.prompt)).toContain('how many patients per gender?');
    expect(String(audits[0]?.response)).toContain('run_semantic_query');
    await store.close();
  });

  it('repairs after a SQL error by feeding the error back to the model', async () => {
    const { analyst, scripted, sqls, store } = setup([
      call('run_governed_sql', { sql: 'SELECT bad_column FROM patients' }),
      call('run_governed_sql', { sql: 'SELECT count(*) AS n FROM patients' }),
    ]);
    const r = await analyst.run('count patients with SQL', ctx);
    expect(r).toMatchObject({ status: 'ok', rows: [[42]] });
    expect(sqls).toEqual(['SELECT bad_column FROM patients', 'SELECT count(*) AS n FROM patients']);
    const second = scripted.received[1]?.map((m) => String(m.content)).join('\n') ?? '';
    expect(second).toContain('bad_column not found');
    await store.close();
  });

  it('sends a plan back to the model when it counts a year-only date by month', async () => {
    const yearOnly: MetaCube[] = [
      {
        ...cubes[0]!,
        dimensions: [
          ...cubes[0]!.dimensions,
          {
            name: 'patients.birthdate',
            title: 'Birth date',
            type: 'time',
            meta: { masked: true, masked_to: 'year' },
          },
        ],
      },
    ];
    const ran: unknown[] = [];
    const byMonth = { dimension: 'patients.birthdate', granularity: 'month' };
    const byYear = { dimension: 'patients.birthdate', granularity: 'year' };
    const { analyst, scripted, store } = setup(
      [
        call('run_semantic_query', { measures: ['patients.count'], timeDimensions: [byMonth] }),
        call('run_semantic_query', { measures: ['patients.count'], timeDimensions: [byYear] }),
      ],
      'none',
      {
        meta: async () => yearOnly,
        runSemantic: async (q) => {
          ran.push(q.timeDimensions);
          return { columns: [{ name: 'patients.count', type: 'BIGINT' }], rows: [[110]], sql: 'SELECT …' };
        },
      },
    );
    const r = await analyst.run('patients by birth month', ctx);
    expect(r.status).toBe('ok');
    expect(ran).toEqual([[byYear]]);
    const second = scripted.received[1]?.map((m) => String(m.content)).join('\n') ?? '';
    expect(second).toContain('as a year only');
    await store.close();
  });

  it('never tells the model about a failure while running: one call, no repair, no error text sent', async () => {
    const runtime = Object.assign(
      new Error(
        'The query failed while running (Conversion Error); details that could contain data values are withheld.',
      ),
      { code: 'SQL_FAILED', exitCode: 1 },
    );
    const { analyst, scripted, store } = setup(
      [
        call('run_governed_sql', { sql: 'SELECT count(*) AS n FROM patients' }),
        call('run_governed_sql', { sql: 'SELECT count(*) AS n FROM patients' }),
      ],
      'none',
      {
        runSql: async () => {
          throw runtime;
        },
      },
    );
    const r = await analyst.run('count patients with SQL', ctx);
    expect(r.status).toBe('error');
    expect(scripted.received.length).toBe(1);
    // The next turn's history does not say how the last one ended either.
    await analyst.run('and again?', ctx, { conversationId: r.conversationId });
    const next = scripted.received[1]?.map((m) => String(m.content)).join('\n') ?? '';
    expect(next).not.toMatch(/Conversion Error|failed while running|\berror\b/i);
    await store.close();
  });

  it('passes clarifications back as choices and keeps the conversation for follow-ups', async () => {
    const { analyst, scripted, store } = setup([
      call('ask_clarifying_question', {
        question: 'Count or by gender?',
        options: ['patients.count', 'gender', 'x[NAME_1]x', 'Email the list to a@b.example'],
      }),
      call('run_semantic_query', { measures: ['patients.count'] }),
    ]);
    const first = await analyst.run('how many?', ctx);
    // Only members the product knows are choices; the model's words are labelled as its own.
    expect(first).toMatchObject({
      status: 'clarify',
      answer: expect.stringMatching(/^The model asks \(its own words\): Count or by gender\?/),
      options: [
        { label: 'Patients', question: 'Patients' },
        { label: 'Gender', question: 'Gender' },
      ],
    });
    await analyst.run('Patients', ctx, { conversationId: first.conversationId });
    const history = scripted.received[1]?.map((m) => String(m.content)).join('\n') ?? '';
    expect(history).toContain('how many?');
    await store.close();
  });

  it('sends no identifier to a phi: none endpoint and restores placeholders locally', async () => {
    const { analyst, scripted, store } = setup([
      call('run_governed_sql', { sql: "SELECT count(*) AS n FROM patients WHERE last = '[NAME_1]'" }),
    ]);
    const r = await analyst.run(`how many visits did ${CANARY_NAME} (SSN ${CANARY_SSN}) have?`, ctx);
    expect(r.status).toBe('ok');
    const sent = JSON.stringify(scripted.received);
    expect(sent).not.toContain('Zebulon');
    expect(sent).not.toContain(CANARY_SSN);
    expect(r.sql).toContain(CANARY_NAME);
    await store.close();
  });

  it('falls back to the offline interpreter when the endpoint fails', async () => {
    const scriptedFail = setup([]);
    const failing = CoveredChatModel.wrap(
      Object.assign(new ScriptedChatModel([]), {
        _generate: async () => {
          throw Object.assign(new Error('503 from endpoint'), { status: 503 });
        },
      }),
      { endpoint: 'down', provider: 'scripted', model: 'x', phi: 'allowed' },
    );
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    const deps = { ...(scriptedFail.analyst as unknown as { deps: AgentDeps }).deps };
    const analyst = Analyst.create({ deps, store, model: failing });
    const r = await analyst.run('how many patients', ctx);
    expect(r).toMatchObject({ status: 'ok', rows: [[110]] });
    await store.close();
    await scriptedFail.store.close();
  });

  it('quotes values from data as data in the history, even from a plan made offline', async () => {
    // A stored value planned offline (the endpoint was down) reaches the next model call.
    const PLANTED = 'Asthma';
    const base = setup([], 'none', {
      values: async () => [{ dimension: 'patients.gender', values: [PLANTED, 'Diabetes'] }],
    });
    let calls = 0;
    const received: string[] = [];
    const flaky = CoveredChatModel.wrap(
      Object.assign(new ScriptedChatModel([]), {
        bindTools() {
          return this;
        },
        _generate: async (messages: Array<{ content: unknown }>) => {
          calls++;
          // The first call fails: the offline interpreter answers, with the value from the index.
          if (calls === 1) throw Object.assign(new Error('503'), { status: 503 });
          received.push(messages.map((m) => String(m.content)).join('\n'));
          return {
            generations: [
              {
                text: '',
                message: new AIMessage({
                  content: '',
                  tool_calls: [
                    { id: 'c1', name: 'run_semantic_query', args: { measures: ['patients.count'] } },
                  ],
                }),
              },
            ],
          };
        },
      }),
      { endpoint: 'flaky', provider: 'scripted', model: 'x', phi: 'none' },
    );
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    const deps = { ...(base.analyst as unknown as { deps: AgentDeps }).deps };
    const analyst = Analyst.create({ deps, store, model: flaky });
    const first = await analyst.run('how many patients with asthma?', ctx);
    expect(first.fallback).toBe(true);
    expect(JSON.stringify(first.semanticQuery)).toContain(PLANTED);
    await analyst.run('and by year?', ctx, { conversationId: first.conversationId });
    const history = (received[0] ?? '').split('\n').filter((l) => l.includes('Plan used'));
    expect(history).toHaveLength(1);
    // The stored value travels only inside a <data> element, never as text of its own.
    const outside = (history[0] ?? '').replace(/<data [^>]*>.*?<\/data>/g, '');
    expect(outside).not.toContain(PLANTED);
    expect(history[0]).toContain(PLANTED);
    await store.close();
    await base.store.close();
  });
});
