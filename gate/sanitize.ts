import { hasCode } from '../core/index.ts';
import { CTE_PREFIX } from './cte.ts';
import { GateError } from './errors.ts';

/**
 * Turn an engine error into one that is safe to show. Engine messages can quote data values
 * (a failed cast prints the value), and the optimiser may evaluate a caller's predicate on rows
 * the policy later removes — so value-bearing errors become a generic sentence. Binder and parser
 * messages only echo the caller's own query and help them (or the agent's repair step) fix it.
 */
export function sanitizeEngineError(err: unknown): GateError {
  if (hasCode(err, 'QUERY_TIMEOUT')) {
    return new GateError('SQL_TIMEOUT', (err as Error).message, { cause: err });
  }
  if (hasCode(err, 'QUERY_CANCELLED')) {
    return new GateError('SQL_CANCELLED', 'The query was cancelled.', { cause: err });
  }
  const cause = (err as { cause?: unknown }).cause ?? err;
  const text = cause instanceof Error ? cause.message : String(cause);
  const first = (text.split('\n')[0] ?? '').trim();
  const kind = /^([A-Za-z ]+ Error):/.exec(first)?.[1] ?? 'Error';
  if (first.includes(CTE_PREFIX)) {
    // The gate renamed every CTE (see cte.ts); a reference that reached DuckDB under the internal
    // name was outside the CTE's scope.
    return new GateError(
      'SQL_FAILED',
      'The query is not valid: a WITH name is used outside the part of the query where it is defined.',
      { cause: err },
    );
  }
  if (kind === 'Binder Error' || kind === 'Parser Error' || kind === 'Catalog Error') {
    // Drop "Did you mean …" candidate lists: they can name relations outside the caller's view.
    const message = first.replace(/\s*Did you mean.*$/i, '');
    return new GateError('SQL_FAILED', `The query is not valid: ${message}`, { cause: err });
  }
  if (kind === 'Out of Memory Error') {
    return new GateError(
      'SQL_FAILED',
      'The query needed more memory than governed queries may use; narrow it down.',
      {
        cause: err,
      },
    );
  }
  return new GateError(
    'SQL_FAILED',
    `The query failed while running (${kind}); details that could contain data values are withheld.`,
    { cause: err },
  );
}
