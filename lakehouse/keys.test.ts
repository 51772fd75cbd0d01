import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../core/index.ts';
import { commandKeyProvider, envKeyProvider, fileKeyProvider, generateKey } from './keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'keys-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('key providers', () => {
  it('reads a 0600 key file and refuses one others can read', async () => {
    const path = join(dir, 'k');
    const key = generateKey();
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
    expect(await fileKeyProvider(path).getKey()).toBe(key);
    chmodSync(path, 0o644);
    const err = await fileKeyProvider(path)
      .getKey()
      .catch((e: unknown) => e);
    expect(hasCode(err, 'LAKE_KEY_UNREADABLE')).toBe(true);
    expect((err as Error).message).toContain('chmod 600');
  });

  it('reports a missing key file, a missing env var and a short key with their own codes', async () => {
    expect(
      hasCode(
        await fileKeyProvider(join(dir, 'none'))
          .getKey()
          .catch((e: unknown) => e),
        'LAKE_KEY_MISSING',
      ),
    ).toBe(true);
    expect(
      hasCode(
        await envKeyProvider('ANALYST_TEST_NO_SUCH_VAR')
          .getKey()
          .catch((e: unknown) => e),
        'LAKE_KEY_MISSING',
      ),
    ).toBe(true);
    process.env.ANALYST_TEST_SHORT_KEY = 'short';
    expect(
      hasCode(
        await envKeyProvider('ANALYST_TEST_SHORT_KEY')
          .getKey()
          .catch((e: unknown) => e),
        'LAKE_KEY_UNREADABLE',
      ),
    ).toBe(true);
  });

  it('takes a key from a command (the KMS hook) without a shell', async () => {
    expect(
      await commandKeyProvider(['node', '-e', "process.stdout.write('kms-key-0123456789abcdef')"]).getKey(),
    ).toBe('kms-key-0123456789abcdef');
    const err = await commandKeyProvider(['false'])
      .getKey()
      .catch((e: unknown) => e);
    expect(hasCode(err, 'LAKE_KEY_UNREADABLE')).toBe(true);
  });
});
