// The graph's flow with in-process dependencies: routing, repair, clarification, follow-ups,
// conversation ownership, encrypted persistence and fail-closed audit. The same graph runs over
// the real semantic layer and gate in analyst.int.test.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import type { FlatCubeQuery } from '../semantic/index.ts';
import { type AgentDeps, Analyst, type CallerContext, ConversationStore, type MetaCube } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'agent-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cubes: MetaCube[] = [
  {
    name: 'patients',
    title: 'Patients',
    measures: [{ name: 'patients.count', title: 'Patients', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'patients.gender', title: 'Gender', type: 'string', meta: { synonyms: ['sex'] } },
      { name: 'patients.birthdate', title: 'Birth date', type: 'time' },
    ],
  },
];

function deps(overrides: Partial<AgentDeps> = {}): AgentDeps & { ran: FlatCubeQuery[]; audits: unknown[] } {
  const ran: FlatCubeQuery[] = [];
  const audits: unknown[] = [];
  return {
    ran,
    audits,
    meta: async () => cubes,
    values: async () => [{ dimension: 'patients.gender', values: ['F', 'M'] }],
    runSemantic: async (q) => {
      ran.push(q);
      if (q.dimensions?.includes('patients.gender')) {
        return {
          columns: [
            { name: 'patients.gender', type: 'VARCHAR' },
            { name: 'patients.count', type: 'BIGINT' },
          ],
          rows: [
            ['F', 60],
            ['M', 50],
          ],
          sql: 'SELECT …',
        };
      }
      return {
        columns: [{ name: 'patients.count', type: 'BIGINT' }],
        rows: [[110]],
        sql: 'SELECT count(*) …',
      };
    },
    runSql: async () => ({ columns: [], rows: [], sqlExecuted: '' }),
    audit: async (entry) => {
      audits.push(entry);
      return `audit-${audits.length}`;
    },
    now: () => new Date('2026-06-01T00:00:00Z'),
    ...overrides,
  };
}

const alice: CallerContext = { userId: 'alice', roles: ['analyst'], attributes: {} };
const bob: CallerContext = { userId: 'bob', roles: ['analyst'], attributes: {} };

describe('Analyst', () => {
  it('answers, streams its steps, audits, and follows up in the same conversation', async () => {
    const store = ConversationStore.open({ path: join(dir, 'c1.db'), workspaceKey: 'k'.repeat(32) });
    const d = deps();
    const analyst = Analyst.create({ deps: d, store });
    const events = [];
    for await (const e of analyst.ask('How many patients are there?', alice)) events.push(e);
    const steps = events.filter((e) => e.type === 'step').map((e) => (e as { node: string }).node);
    expect(steps).toEqual(['understand', 'gather_context', 'plan', 'validate', 'execute', 'answer']);
    const result = events.at(-1);
    expect(result).toMatchObject({
      type: 'result',
      result: { status: 'ok', rows: [[110]], answer: 'Patients: 110.', auditId: 'audit-1' },
    });
    const id = (result as { result: { conversationId: string } }).result.conversationId;

    const follow = await analyst.run('and by gender?', alice, { conversationId: id });
    expect(follow).toMatchObject({
      status: 'ok',
      semanticQuery: { measures: ['patients.count'], dimensions: ['patients.gender'] },
    });
    expect(follow.chart).toMatchObject({ mark: { type: 'bar' } });
    expect((await analyst.conversation(id, alice)).turns.map((t) => t.question)).toEqual([
      'How many patients are there?',
      'and by gender?',
    ]);
    await store.close();
  });

  it('refuses to continue or show another user’s conversation', async () => {
    const store = ConversationStore.open({ path: join(dir, 'c2.db'), workspaceKey: 'k'.repeat(32) });
    const analyst = Analyst.create({ deps: deps(), store });
    const { conversationId } = await analyst.run('how many patients', alice);
    const err = await analyst.run('and by gender?', bob, { conversationId }).catch((e: unknown) => e);
    expect(hasCode(err, 'CONVERSATION_FORBIDDEN')).toBe(true);
    expect(
      hasCode(
        await analyst.conversation(conversationId, bob).catch((e: unknown) => e),
        'CONVERSATION_FORBIDDEN',
      ),
    ).toBe(true);
    await store.close();
  });

  it('clarifies instead of guessing, and says when a question is out of scope', async () => {
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    const analyst = Analyst.create({ deps: deps(), store });
    expect(await analyst.run('by gender', alice)).toMatchObject({ status: 'clarify', rows: [] });
    expect(await analyst.run('what is the capital of France?', alice)).toMatchObject({ status: 'refused' });
    await store.close();
  });

  it('repairs after an execution error, at most twice, then answers with the error', async () => {
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    let calls = 0;
    const d = deps({
      runSemantic: async (q) => {
        calls++;
        // A failure of the query itself (repairable); one while running ends the turn (below).
        if (q.dimensions?.length)
          throw Object.assign(new Error('patients.gender is not available'), {
            code: 'MEMBER_NOT_ALLOWED',
            exitCode: 1,
          });
        return { columns: [{ name: 'patients.count', type: 'BIGINT' }], rows: [[7]], sql: 'SELECT 7' };
      },
    });
    const analyst = Analyst.create({ deps: d, store });
    const r = await analyst.run('patients by gender', alice);
    expect(r).toMatchObject({ status: 'ok', rows: [[7]] });
    expect(calls).toBe(2);
    const never = Analyst.create({
      deps: deps({
        runSemantic: async () => {
          throw new Error('engine down');
        },
      }),
      store,
    });
    expect(await never.run('how many patients', alice)).toMatchObject({ status: 'error', rows: [] });
    await store.close();
  });

  it('a refusal from the policy layer is final, not repaired', async () => {
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    let calls = 0;
    const refused = Object.assign(new Error('not allowed'), { code: 'SQL_REFUSED', exitCode: 3 });
    const analyst = Analyst.create({
      deps: deps({
        runSemantic: async () => {
          calls++;
          throw refused;
        },
      }),
      store,
    });
    expect(await analyst.run('how many patients', alice)).toMatchObject({ status: 'refused' });
    expect(calls).toBe(1);
    await store.close();
  });

  it('fails closed when the audit trail cannot record the answer', async () => {
    const store = ConversationStore.open({ path: ':memory:', workspaceKey: 'k'.repeat(32) });
    const analyst = Analyst.create({
      deps: deps({
        audit: async () => {
          throw Object.assign(new Error('audit down'), { code: 'AUDIT_UNAVAILABLE', exitCode: 1 });
        },
      }),
      store,
    });
    const events: string[] = [];
    const err = await (async () => {
      for await (const e of analyst.ask('how many patients', alice)) events.push(e.type);
    })().catch((e: unknown) => e);
    expect(hasCode(err, 'AUDIT_UNAVAILABLE')).toBe(true);
    expect(events).not.toContain('result');
    await store.close();
  });

  it('stores conversation state encrypted: the question is not on disk in clear', async () => {
    const path = join(dir, 'c3.db');
    const store = ConversationStore.open({ path, workspaceKey: 'k'.repeat(32) });
    const analyst = Analyst.create({ deps: deps(), store });
    await analyst.run('how many patients named Zebediah Canary', alice);
    await store.close();
    const db = new Database(path, { readonly: true });
    const blobs = [
      ...db.prepare('SELECT checkpoint AS b, metadata AS m FROM checkpoints').all(),
      ...db.prepare('SELECT value AS b FROM writes').all(),
    ] as Array<Record<string, Buffer>>;
    db.close();
    expect(blobs.length).toBeGreaterThan(0);
    for (const row of blobs)
      for (const v of Object.values(row)) expect(Buffer.from(v).includes('Zebediah')).toBe(false);
  });
});
