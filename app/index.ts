/**
 * The application's wiring: one workspace opened into a runtime (lake, semantic layer, gate, agent,
 * audit trail, incident path) and the services the HTTP server is built on (connector admin,
 * break-glass). The CLI and the benchmarks import this, so they run the wiring a user runs;
 * nothing outside `cli/` and `bin/` imports `cli/`.
 */

export {
  type BackupCheck,
  BackupError,
  type BackupManifest,
  createBackup,
  restoreBackup,
  verifyBackup,
} from './backup.ts';
export { grantBreakGlass } from './break-glass.ts';
export { connectorStatus } from './connector-status.ts';
export { borrowLake, isHosted, runHosted } from './hosted.ts';
export { type BuildPreAggregationsOptions, buildPreAggregations, preAggregationStatus } from './preagg.ts';
export {
  duckdbLimitWithin,
  limitProcessMemory,
  parseByteSize,
  processMemoryBytes,
} from './process-memory.ts';
export { contextOf, openRuntime, type RequestScope, type Runtime } from './runtime.ts';
export {
  type ScheduledRunState,
  type SyncScheduler,
  schedulerOf,
  startScheduler,
} from './scheduler.ts';
export { connectorAdmin, connectorReadDirectories } from './serve-connectors.ts';
export { askAsOf, serveServices } from './serve-services.ts';
export { sqlWireServices } from './serve-sql.ts';
export {
  SERVE_CHILD_ENV,
  type Supervisor,
  serveHandedConnections,
  superviseServe,
} from './serve-supervisor.ts';
export { watchSnapshots } from './snapshot-watch.ts';
export { exclusiveSync, syncRunning } from './sync-lock.ts';
export {
  checkConnectors,
  connectorConfig,
  setConnector,
  syncWorkspace,
  syntheaSource,
  workspaceSyncEnv,
} from './sync-runner.ts';
