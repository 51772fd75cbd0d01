// The result cache inside a real workspace runtime (Synthea fixture, `analyst init --preset
// synthea`): a repeated chat question is answered from the cache and still audited as its own data
// access; a commit to the lake (what a sync makes) is a new snapshot and a miss with the new data.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../workspace/index.ts';
import { contextOf, openRuntime, type Runtime } from './runtime.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');

let root = '';
let rt: Runtime;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'analyst-result-cache-'));
  const dir = join(root, 'ws');
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'bin/analyst.mjs'), 'init', dir, '--preset', 'synthea', '--source', FIXTURE, '--json'],
    { cwd: ROOT, env: { ...process.env, ANALYST_WORKSPACE: '' }, maxBuffer: 1 << 26 },
  );
  rt = await openRuntime(await Workspace.load(dir), { route: 'test result cache' });
}, 180_000);
afterAll(async () => {
  await rt?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('result cache in the runtime', () => {
  it('answers a repeated question from the cache, and audits both answers', async () => {
    const cache = rt.resultCache;
    expect(cache).toBeDefined();
    const ctx = contextOf(rt.workspace, 'analyst');
    const first = await rt.analyst.run('how many encounters', ctx);
    const hits = cache!.stats().hits;
    const second = await rt.analyst.run('how many encounters', ctx);
    expect(first.status).toBe('ok');
    expect(second.rows).toEqual(first.rows);
    expect(cache!.stats().hits).toBeGreaterThan(hits);
    expect(second.auditId).toBeDefined();
    expect(second.auditId).not.toBe(first.auditId);
    const { records } = await rt.audit.search({}, { limit: 20 });
    for (const id of [first.auditId, second.auditId]) {
      const record = records.find((r) => r.id === id);
      expect(record).toMatchObject({ type: 'request', outcome: 'ok', userId: 'analyst' });
    }
  });

  it('misses after a commit to the lake and answers with the new rows', async () => {
    const ctx = contextOf(rt.workspace, 'analyst');
    const q = { measures: ['encounters.count'] };
    const before = Number((await rt.semantic.load(q, ctx)).data[0]?.['encounters.count']);
    const misses = rt.resultCache!.stats().misses;
    await rt.lake.append(
      'encounters',
      `SELECT * REPLACE ('cache-' || id AS id) FROM ${rt.lake.tableRef('encounters')} LIMIT 4`,
      { author: 'test', message: 'append four encounters, as a sync would' },
    );
    const after = Number((await rt.semantic.load(q, ctx)).data[0]?.['encounters.count']);
    expect(after).toBe(before + 4);
    expect(rt.resultCache!.stats().misses).toBeGreaterThan(misses);
  });
});
