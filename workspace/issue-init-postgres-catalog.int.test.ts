// Regression: `analyst init --catalog postgres://…` created the lake while the workspace was still
// in its staging folder, so the catalog recorded the staging data path and the finished workspace
// could not open its own lake (DATA_PATH does not match).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { initWorkspace } from './init.ts';

const PG_URL = 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `ws_init_pg_${process.pid}_${Date.now()}`;
let root = '';

afterAll(async () => {
  const c = new pg.Client(PG_URL);
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
  if (root) await rm(root, { recursive: true, force: true });
});

it('a workspace made with a PostgreSQL catalog opens its lake at its own data path', async () => {
  root = await mkdtemp(join(tmpdir(), 'init-pg-'));
  const ws = await initWorkspace(join(root, 'ws'), { catalog: PG_URL, catalogSchema: SCHEMA });
  const lake = await ws.openLake();
  try {
    const status = await lake.status();
    expect(status.catalog).toBe('postgres');
    expect(status.dataPath).toBe(`${join(root, 'ws', 'lake', 'data')}/`);
  } finally {
    await lake.close();
  }
});
