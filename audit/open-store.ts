import type { AuditStoreConfig } from './config.ts';
import { PostgresAuditStore } from './store/postgres-store.ts';
import { SqliteAuditStore } from './store/sqlite-store.ts';
import type { AuditStore } from './store/types.ts';

/** Open the configured store (creating its tables when missing). */
export async function openAuditStore(config: AuditStoreConfig): Promise<AuditStore> {
  if (config.kind === 'sqlite')
    return SqliteAuditStore.open(config.path, { busyTimeoutMs: config.busyTimeoutMs });
  return PostgresAuditStore.open(config.url, config.schema);
}
