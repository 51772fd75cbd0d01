/**
 * Connectors: the SDK for writing one, the built-in sources, the sync engine that loads them into
 * the lake, and the Synthea-format demo data generator. Other folders import only from here.
 */
export { type DemoOptions, type DemoResult, generateSyntheaDemo } from './demo/generator.ts';
export {
  ConnectorAuthError,
  ConnectorError,
  type ConnectorErrorCode,
  SchemaIncompatibleError,
} from './errors.ts';
export { fhirConnector } from './fhir/connector.ts';
export { filesConnector } from './files/connector.ts';
export { mysqlConnector } from './mysql/connector.ts';
export { postgresConnector } from './postgres/connector.ts';
export { createConnectorRegistry } from './registry.ts';
export { restConnector } from './rest/connector.ts';
export { countCsvRecords, readCsvHead } from './sdk/csv-head.ts';
export { defineConnector, secret, secretPaths } from './sdk/define.ts';
export { createRedactor } from './sdk/redact.ts';
export type {
  AnyConnector,
  ArrowBatch,
  Batch,
  Connector,
  ConnectorContext,
  ConnectorLogger,
  CsvDialect,
  FileBatch,
  FileFormat,
  OnReject,
  ReadMessage,
  StreamColumn,
  StreamDef,
  StreamState,
  SyncMode,
} from './sdk/types.ts';
export {
  type ConnectorConfig,
  guarded,
  type OpenedConnector,
  openConnector,
  type StreamSelection,
  type SyncEnvironment,
  type SyncRunResult,
  syncConnector,
} from './sync/engine.ts';
export type { StreamResult, SyncEvent } from './sync/load-stream.ts';
export { prepareOptions, type SecretResolver } from './sync/options.ts';
export { DEFAULT_PHI_RULES, type PhiRule, tagColumns } from './sync/phi-rules.ts';
export { createProgressReporter, type ProgressReporter } from './sync/progress.ts';
export { SYNC_HISTORY, SYNC_REJECTS, SYNC_STATE } from './sync/system-tables.ts';
export { syntheaConnector } from './synthea/connector.ts';
export { SYNTHEA_TABLES } from './synthea/tables.ts';
