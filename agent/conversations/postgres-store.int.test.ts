// Conversations in PostgreSQL (replicas share them): follow-ups work across two store instances,
// another user is refused, the state is encrypted in the tables, and retention deletes it.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { type AgentDeps, Analyst, type CallerContext, ConversationStore, type MetaCube } from '../index.ts';

const URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `conv_test_${process.pid}`;
const KEY = 'w'.repeat(40);
afterAll(async () => {
  const c = new pg.Client({ connectionString: URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
});

const cubes: MetaCube[] = [
  {
    name: 'patients',
    title: 'Patients',
    measures: [{ name: 'patients.count', title: 'Patients', type: 'number', aggType: 'count' }],
    dimensions: [{ name: 'patients.gender', title: 'Gender', type: 'string' }],
  },
];
const deps: AgentDeps = {
  meta: async () => cubes,
  values: async () => [],
  runSemantic: async (q) => ({
    columns: q.dimensions?.length
      ? [
          { name: 'patients.gender', type: 'VARCHAR' },
          { name: 'patients.count', type: 'BIGINT' },
        ]
      : [{ name: 'patients.count', type: 'BIGINT' }],
    rows: q.dimensions?.length
      ? [
          ['F', 6],
          ['M', 5],
        ]
      : [[11]],
    sql: 'SELECT …',
  }),
  runSql: async () => ({ columns: [], rows: [], sqlExecuted: '' }),
};
const alice: CallerContext = { userId: 'alice', roles: ['analyst'], attributes: {} };

describe('ConversationStore on PostgreSQL', () => {
  it('shares conversations between replicas, encrypted, owner-checked and purged by retention', async () => {
    const a = await ConversationStore.openPostgres({ url: URL, schema: SCHEMA, workspaceKey: KEY });
    const b = await ConversationStore.openPostgres({ url: URL, schema: SCHEMA, workspaceKey: KEY });
    const first = await Analyst.create({ deps, store: a }).run('how many patients', alice);
    const follow = await Analyst.create({ deps, store: b }).run('and by gender?', alice, {
      conversationId: first.conversationId,
    });
    expect(follow).toMatchObject({
      status: 'ok',
      semanticQuery: { measures: ['patients.count'], dimensions: ['patients.gender'] },
    });

    const bob = { ...alice, userId: 'bob' };
    const err = await Analyst.create({ deps, store: b })
      .run('and by gender?', bob, { conversationId: first.conversationId })
      .catch((e: unknown) => e);
    expect(hasCode(err, 'CONVERSATION_FORBIDDEN')).toBe(true);

    const c = new pg.Client({ connectionString: URL });
    await c.connect();
    const dump = await c.query(
      `SELECT string_agg(coalesce(encode(blob, 'escape'), ''), '') AS blobs FROM ${SCHEMA}.checkpoint_blobs`,
    );
    const writes = await c.query(
      `SELECT string_agg(encode(blob, 'escape'), '') AS w FROM ${SCHEMA}.checkpoint_writes`,
    );
    expect(String(dump.rows[0].blobs)).not.toContain('how many patients');
    expect(String(dump.rows[0].blobs)).not.toContain('and by gender');
    expect(String(writes.rows[0].w ?? '')).not.toContain('how many patients');

    expect(await a.purgeOlderThan(1, new Date(Date.now() + 2 * 86_400_000))).toBe(1);
    expect(await b.get(first.conversationId)).toBeUndefined();
    const left = await c.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.checkpoints`);
    expect(left.rows[0].n).toBe(0);
    await c.end();
    await a.close();
    await b.close();
  });
});
