/** The workspace: analyst.yaml, users.yaml, keys and the lake, loaded once at the edge. */
export {
  type AnalystConfig,
  analystConfigSchema,
  type ConnectorEntry,
  type DevUser,
  describeIssues,
  type LakeConfig,
  type UsersFile,
} from './config.ts';
export { WorkspaceError, type WorkspaceErrorCode } from './errors.ts';
export { DEFAULT_DEV_USERS, type InitOptions, initWorkspace } from './init.ts';
export { isSecretRef, resolveSecret } from './secrets.ts';
export { CONFIG_FILE, USERS_FILE, Workspace } from './workspace.ts';
