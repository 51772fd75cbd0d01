import { AnalystError } from '../core/index.ts';

export type WorkspaceErrorCode =
  | 'CONFIG_MISSING'
  | 'CONFIG_INVALID'
  | 'USERS_INVALID'
  | 'UNKNOWN_USER'
  | 'WORKSPACE_EXISTS'
  | 'SECRET_UNRESOLVED';

/** A workspace problem: missing or invalid files, unknown users, unresolved secrets. */
export class WorkspaceError extends AnalystError {
  declare readonly code: WorkspaceErrorCode;
  constructor(
    code: WorkspaceErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {},
  ) {
    super(code, message, options);
    this.name = 'WorkspaceError';
  }
}
