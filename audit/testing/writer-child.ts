// A separate writer process for the concurrency tests: appends COUNT records to the store given
// in argv (JSON), in small concurrent groups, then closes; with ANCHOR, it anchors its
// checkpoints to that file. Run with `node --import tsx`.

import { existsSync } from 'node:fs';
import { staticKeyProvider } from '../../lakehouse/index.ts';
import { AuditLog } from '../audit-log.ts';
import type { AuditStoreConfig } from '../config.ts';
import { requestRecord, TEST_WORKSPACE_KEY } from './fixtures.ts';

const [storeJson, signingKeyPath, countText, name, barrier, anchor] = process.argv.slice(2);
const log = await AuditLog.open({
  store: JSON.parse(storeJson ?? '{}') as AuditStoreConfig,
  signingKeyPath: signingKeyPath ?? '',
  key: staticKeyProvider(TEST_WORKSPACE_KEY),
  checkpointEvery: 25,
  checkpointMinutes: 60,
  writerId: name,
  anchors: anchor ? [{ kind: 'file', path: anchor }] : [],
});
// Tell the parent we are open, then wait for its go (a file), so both replicas write at once.
process.stdout.write('ready\n');
while (barrier && !existsSync(barrier)) await new Promise((r) => setTimeout(r, 5));
const count = Number(countText);
for (let i = 0; i < count; i += 5) {
  await Promise.all(
    [0, 1, 2, 3, 4].map((k) =>
      log.append(requestRecord(i + k, { userId: name, requestId: `${name}-${i + k}` })),
    ),
  );
}
await log.close();
