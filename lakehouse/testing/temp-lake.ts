import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakehouseConfig } from '../index.ts';
import { staticKeyProvider } from '../index.ts';

/** A fresh folder and an encrypted DuckDB-catalog lake config inside it, for tests. */
export function tempLakeConfig(prefix = 'lake-test-'): {
  dir: string;
  config: LakehouseConfig;
  keyText: string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const keyText = 'test-key-0123456789abcdef';
  return {
    dir,
    keyText,
    config: {
      catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider(keyText),
      create: true,
      readConnections: 2,
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
