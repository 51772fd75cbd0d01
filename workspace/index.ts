/** The workspace: analyst.yaml, users.yaml, keys and the lake, loaded once at the edge. */
export {
  type AuditConfig,
  auditConfigSchema,
  DEFAULT_ANCHOR_FILE,
  KEY_FINGERPRINT,
} from './audit-config.ts';
export { keyFingerprint, newAuditSigningKey } from './audit-signing-key.ts';
export { type ComplianceConfig, complianceConfigSchema, type ThirdPartyConfig } from './compliance-config.ts';
export {
  type AnalystConfig,
  analystConfigSchema,
  type ConnectorEntry,
  type DevUser,
  describeIssues,
  type LakeConfig,
  type UsersFile,
} from './config.ts';
export { type ConversationsConfig, conversationsConfigSchema } from './conversations-config.ts';
export { WorkspaceError, type WorkspaceErrorCode } from './errors.ts';
export { type IncidentConfig, incidentConfigSchema } from './incident-config.ts';
export { DEFAULT_DEV_USERS, type InitOptions, initWorkspace } from './init.ts';
export { type KeySource, keySourceSchema } from './key-source.ts';
export {
  type Baa,
  baaSchema,
  checkEndpoint,
  coverageIssues,
  ENDPOINT_DEFAULTS,
  ENDPOINT_NAME,
  type EndpointConfig,
  type EndpointFinding,
  endpointSchema,
  LLM_PROVIDERS,
  type LlmConfig,
  type LlmEndpointConfig,
  llmConfigSchema,
  llmEndpointSchema,
  OFFLINE,
  PHI_LEVELS,
  type PhiLevel,
  type ProviderName,
} from './llm-config.ts';
export {
  checkMcpClient,
  type McpClientConfig,
  type McpConfig,
  mcpClientKind,
  mcpClientSchema,
  mcpConfigSchema,
} from './mcp-config.ts';
export { isSecretRef, resolveSecret } from './secrets.ts';
export { type ServerConfig, serverConfigSchema } from './server-config.ts';
export { CONFIG_FILE, USERS_FILE, Workspace } from './workspace.ts';
