// Verified queries over the bundled model and the real gate on the Synthea fixture: a file in the
// model folder is reused for a paraphrase (the answer says so), its SQL runs under the caller's
// policies (a clinician gets their organization's rows), a semantic query runs through the layer,
// and the model folder still loads with the verified_queries/ folder in it.
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
  semanticAgentDeps,
  VerifiedQueryStore,
} from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'verified-int-'));
const modelDir = join(dir, 'model');
let fx: FixtureLake;
let analyst: Analyst;
let store: ConversationStore;
let org: string;
const verified = new VerifiedQueryStore(modelDir);

beforeAll(async () => {
  cpSync(SYNTHEA_MODEL_DIR, modelDir, { recursive: true });
  await verified.save({
    question: 'How many emergency encounters were there in 2020?',
    sql: "SELECT count(*) AS emergency_encounters FROM encounters WHERE encounterclass = 'emergency' AND year(start) = 2020",
    author: 'alice',
    date: '2026-03-01',
  });
  await verified.save({
    question: 'Encounter counts by class',
    query: {
      measures: ['encounters.count'],
      dimensions: ['encounters.encounterclass'],
      order: [['encounters.count', 'desc']],
    },
    author: 'bob',
    date: '2026-03-02',
  });
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters', 'patients', 'organizations'] });
  // The model folder holds verified_queries/ now: it must load as before.
  const semantic = await SemanticLayer.load({ modelDir, lake: fx.lake });
  const gate = await Gate.create<SecurityContext>({
    lake: fx.lake,
    relations: (ctx) => [...semantic.governedRelations(ctx)].map(([name, r]) => ({ name, sql: r.sql })),
  });
  store = ConversationStore.open({ path: join(dir, 'conv.db'), workspaceKey: 'k'.repeat(32) });
  analyst = Analyst.create({
    deps: semanticAgentDeps({ semantic, gate, verifiedQueries: async () => (await verified.list()).queries }),
    store,
  });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]?.[0],
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

describe('verified queries in the agent', () => {
  it('reuses a verified SQL for a paraphrase, under the caller’s row policy', async () => {
    const all = await ask('number of emergency visits in 2020', contextFor('analyst'));
    expect(all.status).toBe('ok');
    expect(all.verified).toMatchObject({
      file: 'verified_queries/emergency-encounters-2020.yaml',
      author: 'alice',
    });
    expect(all.answer).toContain(
      'From the verified query "How many emergency encounters were there in 2020?"',
    );
    const everyRow = await fx.lake.query(
      "SELECT count(*) FROM encounters WHERE encounterclass = 'emergency' AND year(start) = 2020",
    );
    expect(Number(all.rows[0]?.[0])).toBe(Number(everyRow.rows[0]?.[0]));

    const clinician = contextFor('clinician', { organization_id: org });
    const mine = await ask('emergency encounters in 2020?', clinician);
    expect(mine.verified?.file).toBe('verified_queries/emergency-encounters-2020.yaml');
    const theirs = await fx.lake.query(
      `SELECT count(*) FROM encounters WHERE encounterclass = 'emergency' AND year(start) = 2020 AND organization = '${org}'`,
    );
    expect(Number(mine.rows[0]?.[0])).toBe(Number(theirs.rows[0]?.[0]));
    expect(Number(mine.rows[0]?.[0])).toBeLessThan(Number(all.rows[0]?.[0]));
  });

  it('runs a verified semantic query through the semantic layer', async () => {
    const r = await ask('encounter count by encounter class', contextFor('analyst'));
    expect(r.verified?.author).toBe('bob');
    expect(r.semanticQuery).toMatchObject({
      measures: ['encounters.count'],
      dimensions: ['encounters.encounterclass'],
    });
    const direct = await fx.lake.query(
      'SELECT encounterclass, count(*) FROM encounters GROUP BY 1 ORDER BY 2 DESC, 1',
    );
    expect(new Map(r.rows.map((row) => [row[0], Number(row[1])]))).toEqual(
      new Map(direct.rows.map((row) => [row[0], Number(row[1])])),
    );
  });

  it('answers without it when the question differs in what it computes', async () => {
    const r = await ask('how many emergency encounters were there in 2021?', contextFor('analyst'));
    expect(r.verified).toBeUndefined();
  });
});
