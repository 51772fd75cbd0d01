/** The HTTP server: Hono app, authentication, limits, routes. `app/` wires it; `analyst serve` starts it. */
export { createApp } from './app.ts';
export { API_KEY_SCOPES, type ApiKeyRecord, ApiKeyStore } from './auth/api-keys.ts';
export { Authenticator, type AuthenticatorOptions } from './auth/authenticator.ts';
export { DEV_AUDIENCE, DEV_ISSUER, devSigningKey, issueDevToken } from './auth/dev-keys.ts';
export {
  type EmbedClaims,
  type EmbedGrant,
  EmbedTokens,
  embedIdentity,
  isEmbedOrigin,
} from './auth/embed-tokens.ts';
export { type Identity, securityContextOf } from './auth/identity.ts';
export { ServerError, type ServerErrorCode, toClientError } from './errors.ts';
export { createSharedLimits, type SharedLimits } from './guards.ts';
export {
  createMcpServer,
  jsonDigest,
  MCP_SERVER_INFO,
  MCP_TOOL_NAMES,
  type McpCaller,
  McpError,
  type McpServerOptions,
  type McpToolName,
} from './mcp/index.ts';
export { FairSlots } from './middleware/fair-slots.ts';
export {
  isLoopback,
  type RelationMeasures,
  type SqlListener,
  type SqlTable,
  type SqlWireOptions,
  type SqlWireServices,
  startSqlListener,
} from './pgwire/index.ts';
export type {
  AuditEvent,
  BreakGlassAdmin,
  BreakGlassSummary,
  ConnectorAdmin,
  ConnectorStatus,
  ConnectorSummary,
  FeedbackRecord,
  FeedbackService,
  McpServices,
  ServerServices,
  StreamSyncSummary,
  VerifiedQueriesService,
} from './services.ts';
