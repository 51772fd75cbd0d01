// A child process for integration tests: opens a lake from a JSON config in argv and writes.
// Modes: `append N LABEL` appends N rows one transaction each batch of 100; `bigwrite` starts a
// long single-transaction write and reports when it is under way (the parent then kills it).
import { Lakehouse, type LakehouseConfig, staticKeyProvider } from '../index.ts';

const [configJson, mode, ...args] = process.argv.slice(2);
const raw = JSON.parse(configJson ?? '{}') as LakehouseConfig & { keyText?: string };
const lake = await Lakehouse.open({ ...raw, key: raw.keyText ? staticKeyProvider(raw.keyText) : undefined });
const commit = { author: `child-${process.pid}`, message: mode ?? 'write' };

if (mode === 'append') {
  const n = Number(args[0]);
  const label = String(args[1]);
  for (let done = 0; done < n; done += 100) {
    await lake.append(
      'items',
      `SELECT range AS i, $1 AS label FROM range(${Math.min(100, n - done)})`,
      commit,
      [label],
    );
  }
  process.stdout.write('done\n');
} else if (mode === 'bigwrite') {
  await lake.withTransaction(commit, async (tx) => {
    await tx.run(`INSERT INTO lake.main.items SELECT range AS i, 'killed' AS label FROM range(1000)`);
    process.stdout.write('writing\n');
    // Keep writing until killed: the transaction never commits.
    for (;;) {
      await tx.run(`INSERT INTO lake.main.items SELECT range AS i, 'killed' AS label FROM range(200000)`);
    }
  });
}
await lake.close();
