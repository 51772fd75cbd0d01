import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../core/index.ts';
import { defaultExtensionDirectory, extensionsPresent, installExtensions } from './install.ts';

const work = mkdtempSync(join(tmpdir(), 'ext-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('extension installer', () => {
  it('finds the project extensions already installed and loadable (npm install put them there)', async () => {
    const sources = await installExtensions({ skipDuckdbRepository: true });
    expect(sources).toEqual({ httpfs: 'present', ducklake: 'present', postgres_scanner: 'present' });
  });

  it('installs from a mirror laid out like DuckDB’s repository, and is idempotent', async () => {
    const dir = join(work, 'from-mirror');
    expect(await extensionsPresent(dir)).toBe(false);
    const sources = await installExtensions({
      directory: dir,
      mirror: defaultExtensionDirectory(),
      skipDuckdbRepository: true,
      python: 'false',
    });
    expect(sources).toEqual({ httpfs: 'mirror', ducklake: 'mirror', postgres_scanner: 'mirror' });
    expect(await extensionsPresent(dir)).toBe(true);
    const again = await installExtensions({ directory: dir, skipDuckdbRepository: true, python: 'false' });
    expect(Object.values(again)).toEqual(['present', 'present', 'present']);
  });

  it('names each missing extension and the ways to provide it when every source fails', async () => {
    const dir = join(work, 'nowhere');
    const err = await installExtensions({
      directory: dir,
      mirror: join(work, 'no-such-mirror'),
      skipDuckdbRepository: true,
      python: 'false',
    }).catch((e: unknown) => e);
    expect(hasCode(err, 'EXTENSION_MISSING')).toBe(true);
    const message = (err as Error).message;
    for (const name of [
      'httpfs',
      'ducklake',
      'postgres_scanner',
      'ANALYST_EXTENSION_MIRROR',
      'duckdb-ext-',
    ]) {
      expect(message).toContain(name);
    }
  });
});
