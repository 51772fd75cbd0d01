// The lake's keyed pseudonym function: HMAC-SHA256 with a key derived from the workspace key,
// stable within a lake, different between lakes with different keys, and never unkeyed.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { quoteLiteral } from '../core/index.ts';
import { generateKey, Lakehouse, PSEUDONYM_FUNCTION, pseudonymKey, staticKeyProvider } from './index.ts';
import { tempLakeConfig } from './testing/temp-lake.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function openLake(key: string | null, encrypted = true) {
  const t = tempLakeConfig();
  const lake = await Lakehouse.open({
    ...t.config,
    encrypted,
    key: key === null ? undefined : staticKeyProvider(key),
  });
  cleanups.push(t.cleanup);
  cleanups.unshift(() => lake.close());
  return lake;
}

async function pseudonyms(lake: Lakehouse, values: Array<string | null>): Promise<unknown[]> {
  const rows = values.map((v, i) => `(${v === null ? 'NULL' : quoteLiteral(v)}, ${i})`).join(', ');
  const r = await lake.query(`SELECT ${PSEUDONYM_FUNCTION}(v) FROM (VALUES ${rows}) AS t(v, i) ORDER BY i`);
  return r.rows.map((row) => row[0]);
}

describe('the lake pseudonym function', () => {
  const ids = ['b1c6d2a0-0000-4000-8000-000000000001', '42', 'b1c6d2a0-0000-4000-8000-000000000001', null];

  it('is HMAC-SHA256 under a key derived from the workspace key, stable, and NULL for NULL', async () => {
    const key = generateKey();
    const lake = await openLake(key);
    const got = await pseudonyms(lake, ids);
    const want = (v: string) => createHmac('sha256', pseudonymKey(key)).update(v).digest('hex').slice(0, 32);
    expect(got).toEqual([want(ids[0]!), want('42'), want(ids[0]!), null]);
    // Not the value, not an unkeyed hash of it, not keyed with the workspace key itself.
    const unkeyed = createHmac('sha256', '').update(ids[0]!).digest('hex').slice(0, 32);
    const rawKeyed = createHmac('sha256', key).update(ids[0]!).digest('hex').slice(0, 32);
    expect(got[0]).not.toBe(ids[0]);
    expect(got[0]).not.toBe(unkeyed);
    expect(got[0]).not.toBe(rawKeyed);
  });

  it('differs between lakes with different workspace keys, and agrees for the same key', async () => {
    const key = generateKey();
    const [a, b, c] = await Promise.all([openLake(key), openLake(generateKey()), openLake(key)]);
    const [pa, pb, pc] = await Promise.all([a, b, c].map((l) => pseudonyms(l, [ids[0]!])));
    expect(pa).not.toEqual(pb);
    expect(pa).toEqual(pc);
  });

  it('refuses, with a clear message, on a lake opened without a key (never an unkeyed hash)', async () => {
    const lake = await openLake(null, false);
    const err = await pseudonyms(lake, [ids[0]!]).catch((e: unknown) => e);
    expect(String((err as Error).message)).toMatch(/need the workspace key/);
    expect(await pseudonyms(lake, [null])).toEqual([null]);
  });
});
