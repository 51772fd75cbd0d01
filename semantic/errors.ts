import { AnalystError } from '../core/index.ts';

/** Every code the semantic layer raises. */
export type SemanticErrorCode =
  | 'MODEL_INVALID'
  | 'MODEL_DIR_MISSING'
  | 'QUERY_INVALID'
  | 'UNKNOWN_MEMBER'
  | 'MEMBER_NOT_ALLOWED'
  | 'ACCESS_DENIED'
  | 'JOIN_PATH_NOT_FOUND'
  | 'JOIN_PATH_AMBIGUOUS'
  | 'PRIMARY_KEY_REQUIRED'
  | 'CUBE_UNAVAILABLE'
  | 'QUERY_FAILED';

/** An error raised by the semantic layer; branch on `code`. */
export class SemanticError extends AnalystError {
  declare readonly code: SemanticErrorCode;
  constructor(
    code: SemanticErrorCode,
    message: string,
    options: { cause?: unknown; exitCode?: 1 | 2 | 3 } = {},
  ) {
    super(code, message, options);
    this.name = 'SemanticError';
  }
}

/** One problem in a model file: where it is (file, line, member path) and what is wrong. */
export interface ModelDiagnostic {
  file: string;
  line: number;
  /** The member path, e.g. `cubes.patients.dimensions.ssn.mask`. */
  path: string;
  message: string;
}

/**
 * A model that does not compile. Carries every problem found, not only the first, so
 * `analyst model validate` can report them together.
 */
export class ModelInvalidError extends SemanticError {
  readonly diagnostics: readonly ModelDiagnostic[];
  constructor(diagnostics: readonly ModelDiagnostic[]) {
    const lines = diagnostics.slice(0, 50).map(formatDiagnostic);
    const more = diagnostics.length > 50 ? `\n… and ${diagnostics.length - 50} more` : '';
    super(
      'MODEL_INVALID',
      `The data model has ${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}:\n${lines.join('\n')}${more}`,
    );
    this.name = 'ModelInvalidError';
    this.diagnostics = diagnostics;
  }
}

/** `file:line path: message`, the form editors and CI logs link to. */
export function formatDiagnostic(d: ModelDiagnostic): string {
  return `${d.file}:${d.line} ${d.path}: ${d.message}`;
}

/** A query names a member that does not exist, or that the caller may not see (same answer for both). */
export class UnknownMemberError extends SemanticError {
  constructor(member: string) {
    super(
      'UNKNOWN_MEMBER',
      `"${member.slice(0, 120)}" is not a member you can query. Check meta for the names.`,
      {
        exitCode: 2,
      },
    );
    this.name = 'UnknownMemberError';
  }
}

/** The caller's access policies do not allow this query. */
export class PolicyRefusedError extends SemanticError {
  constructor(message: string) {
    super('ACCESS_DENIED', message, { exitCode: 3 });
    this.name = 'PolicyRefusedError';
  }
}

/** No join path, or more than one equally short, between the cubes of a query. */
export class JoinPathError extends SemanticError {
  constructor(code: 'JOIN_PATH_NOT_FOUND' | 'JOIN_PATH_AMBIGUOUS', message: string) {
    super(code, message, { exitCode: 2 });
    this.name = 'JoinPathError';
  }
}

/** A malformed query (wrong shape, operator, date range, order member, …). */
export class QueryInvalidError extends SemanticError {
  constructor(message: string) {
    super('QUERY_INVALID', message, { exitCode: 2 });
    this.name = 'QueryInvalidError';
  }
}
