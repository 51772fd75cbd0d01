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
export type {
  AuditEvent,
  BreakGlassAdmin,
  BreakGlassSummary,
  ConnectorAdmin,
  ConnectorStatus,
  ConnectorSummary,
  ServerServices,
  StreamSyncSummary,
} from './services.ts';
