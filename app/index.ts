/**
 * The application's wiring: one workspace opened into a runtime (lake, semantic layer, gate, agent,
 * audit trail) and the services the HTTP server and the connector admin are built on. The CLI,
 * the server's tests, benchmarks and evals import this, so they all run the wiring a user runs.
 */
export { grantBreakGlass } from './break-glass.ts';
export { contextOf, openRuntime, type RequestScope, type Runtime } from './runtime.ts';
export { connectorAdmin, connectorReadDirectories } from './serve-connectors.ts';
export { serveServices } from './serve-services.ts';
export {
  checkConnectors,
  connectorConfig,
  setConnector,
  syncWorkspace,
  syntheaSource,
  workspaceSyncEnv,
} from './sync-runner.ts';
