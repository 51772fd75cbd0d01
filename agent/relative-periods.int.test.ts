// Relative periods on historic data through the whole agent, the real semantic layer and gate on
// the Synthea fixture: "last quarter" is the latest quarter of the caller's own rows (a clinician's
// organization ends earlier than everyone's), found by a query under their row policy, and the
// answer says which quarter it read. Without it, the fixture (it ends in 2024) matched nothing.
import { mkdtempSync, rmSync } from 'node:fs';
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
import { Analyst, type AskResult, ConversationStore, semanticAgentDeps } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'relative-periods-int-'));
const now = new Date('2026-12-07T09:00:00Z');
let fx: FixtureLake;
let analyst: Analyst;
let store: ConversationStore;
let org: string;

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters', 'patients', 'organizations'] });
  const semantic = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake, now: () => now });
  const gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...semantic.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
  store = ConversationStore.open({ path: join(dir, 'conv.db'), workspaceKey: 'k'.repeat(32) });
  analyst = Analyst.create({ deps: semanticAgentDeps({ semantic, gate, now: () => now }), store });
  // An organization whose latest encounter is in an earlier quarter than everyone's.
  org = String(
    (
      await fx.lake.query(
        "SELECT organization FROM encounters GROUP BY 1 HAVING date_trunc('quarter', max(start)) < (SELECT date_trunc('quarter', max(start)) FROM encounters) ORDER BY count(*) DESC, 1 LIMIT 1",
      )
    ).rows[0]?.[0],
  );
}, 120_000);
afterAll(async () => {
  await store?.close();
  await fx?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function ask(question: string, ctx: SecurityContext): Promise<AskResult> {
  for await (const e of analyst.ask(question, ctx)) if (e.type === 'result') return e.result;
  throw new Error('no result');
}

async function count(sql: string): Promise<number> {
  return Number((await fx.lake.query(sql)).rows[0]?.[0]);
}

describe('relative periods read against the caller’s data', () => {
  it('reads "last quarter" as the latest quarter of the rows the caller sees, and says it', async () => {
    const latestQuarter = (where: string) =>
      `SELECT count(*) FROM encounters WHERE ${where} date_trunc('quarter', start) = (SELECT date_trunc('quarter', max(start)) FROM encounters WHERE ${where} true)`;
    const all = await ask('how many encounters last quarter?', contextFor('limited_data_set'));
    expect(all.status, all.answer).toBe('ok');
    expect(all.interpretation).toMatch(/last quarter \(\d{4}-Q[1-4], the latest in the data/);
    expect(Number(all.rows[0]?.[0])).toBe(await count(latestQuarter('')));
    expect(Number(all.rows[0]?.[0])).toBeGreaterThan(0);

    const mine = await ask(
      'how many encounters last quarter?',
      contextFor('clinician', { organization_id: org }),
    );
    expect(mine.status, mine.answer).toBe('ok');
    expect(Number(mine.rows[0]?.[0])).toBe(await count(latestQuarter(`organization = '${org}' AND`)));
    expect(mine.interpretation).not.toBe(all.interpretation);
  });
});
