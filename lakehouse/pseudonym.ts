import { hkdfSync } from 'node:crypto';

/**
 * The lake's keyed pseudonym function: `memory.main.analyst_pseudonym(value)` is the first 32 hex
 * digits of HMAC-SHA256(pseudonym key, value as text), NULL for NULL. The key is derived from the
 * workspace key (HKDF, its own label), so pseudonyms are stable within a workspace (joins and
 * per-patient counts still work), differ between workspaces, and cannot be reversed or recomputed
 * without the key. The key lives only in the macro's definition inside the engine: queries name
 * the function, never the key, so no SQL a caller is shown carries it.
 */
export const PSEUDONYM_FUNCTION = 'memory.main.analyst_pseudonym';

const BLOCK = 64;

/** The HMAC key of pseudonyms, derived from the workspace key. */
export function pseudonymKey(workspaceKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', workspaceKey, 'analyst', 'analyst/pseudonym/v1', 32));
}

/**
 * The macro that computes pseudonyms (HMAC-SHA256 written out with DuckDB's `sha256` over BLOBs:
 * H((K ^ opad) || H((K ^ ipad) || m))). Without a key, the function fails with a clear message
 * instead of falling back to an unkeyed hash.
 */
export function pseudonymMacroSql(key: Buffer | null): string {
  const head = `CREATE OR REPLACE MACRO ${PSEUDONYM_FUNCTION}(v) AS`;
  if (key === null) {
    return `${head} CASE WHEN v IS NULL THEN NULL ELSE error('Pseudonymised columns need the workspace key: configure lake.key.') END`;
  }
  const padded = Buffer.alloc(BLOCK);
  key.copy(padded);
  const pad = (byte: number) => Buffer.from(padded.map((b) => b ^ byte)).toString('hex');
  const inner = `unhex(sha256(unhex('${pad(0x36)}') || encode(CAST(v AS VARCHAR))))`;
  return `${head} CASE WHEN v IS NULL THEN NULL ELSE left(sha256(unhex('${pad(0x5c)}') || ${inner}), 32) END`;
}
