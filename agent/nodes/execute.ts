import { hasCode, isAnalystError } from '../../core/index.ts';
import type { ContextCache } from '../context-cache.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';
import { cutAtLimit, keepSuppressed, TIES_LOOKAHEAD } from '../ties.ts';
import type { AgentDeps } from '../types.ts';

/**
 * Failures that depend on the query alone (an unknown member, a type mismatch found when binding),
 * never on the rows it would read: the only ones a model may be told about and repair. A failure
 * while running (a cast that hit some row, a timeout) can depend on data the caller cannot see, so
 * it ends the turn and no model ever hears of it.
 */
const STATIC_CODES = new Set([
  'UNKNOWN_MEMBER',
  'MEMBER_NOT_ALLOWED',
  'QUERY_INVALID',
  'JOIN_PATH_NOT_FOUND',
  'JOIN_PATH_AMBIGUOUS',
  'PRIMARY_KEY_REQUIRED',
]);

/** True when the error says the query itself is wrong, before any row was read. */
export function isStaticFailure(err: unknown): boolean {
  if (!isAnalystError(err)) return false;
  if (STATIC_CODES.has(err.code)) return true;
  return hasCode(err, 'SQL_FAILED') && err.message.startsWith('The query is not valid');
}

/**
 * Run the plan under the caller's policies: semantic queries through the layer, SQL through the gate.
 * SQL that reads no governed relation, or names a result column after a member (a measure's title
 * included), is refused: a literal must never pose as a measure.
 */
export function makeExecute(deps: AgentDeps, cache: ContextCache) {
  return async function execute(state: AgentStateType): Promise<AgentUpdate> {
    const plan = state.currentPlan;
    if (!plan || !state.ctx) return {};
    try {
      if (plan.kind === 'query') {
        // A ranking cut at N reads a few rows more, to tell the rows tied with the Nth (ties.ts).
        const limit = plan.reportTies ? plan.query.limit : undefined;
        const query = limit ? { ...plan.query, limit: limit + TIES_LOOKAHEAD } : plan.query;
        const r = await deps.runSemantic(query, state.ctx);
        const cut = limit ? cutAtLimit(r, limit, plan.query.order?.[0]?.[0]) : undefined;
        const suppressed = cut ? keepSuppressed(r.suppressed, limit as number) : r.suppressed;
        return {
          result: {
            columns: r.columns,
            rows: cut?.rows ?? r.rows,
            truncated: cut ? false : (r.truncated ?? false),
            ...(suppressed ? { suppressed } : {}),
            sql: r.sql,
            relations: r.relations ?? [],
            ...(cut?.tied.length ? { tiedPastLimit: cut.tied } : {}),
          },
          error: null,
        };
      }
      if (plan.kind === 'sql') {
        const r = await deps.runSql(plan.sql, state.ctx);
        const relations = r.relations ?? [];
        if (relations.length === 0) {
          return refused('the statement reads no governed table, so its result would not come from data');
        }
        const { catalog } = await cache.get(state.ctx);
        const taken = new Set<string>();
        // A member's full name is never a result column's; a measure's title neither. A dimension's
        // title may be: "select name from organizations" names its column after the dimension it is.
        for (const m of catalog.members.values()) {
          taken.add(m.member.toLowerCase());
          if (m.kind === 'measure') taken.add(m.title.toLowerCase());
        }
        const posing = r.columns.find((c) => taken.has(c.name.trim().toLowerCase()));
        if (posing) {
          return refused(
            'a column of the SQL result is named after a member of the semantic model; SQL results keep their own names',
          );
        }
        return {
          result: {
            columns: r.columns,
            rows: r.rows,
            truncated: r.truncated ?? false,
            sql: r.sqlExecuted,
            relations,
          },
          error: null,
        };
      }
      return {};
    } catch (err) {
      // A refusal is final: repairing around a policy would be the wrong lesson.
      if (isAnalystError(err) && err.exitCode === 3)
        return { status: 'refused', error: err.message, attempts: 99 };
      const error = isAnalystError(err) ? `${err.code}: ${err.message}` : String(err);
      // A failure while running is final too: whether it happened can depend on rows.
      return isStaticFailure(err) ? { error } : { error, attempts: 99 };
    }
  };
}

function refused(why: string): AgentUpdate {
  return { status: 'refused', error: `SQL_REFUSED: ${why}.`, attempts: 99, result: null };
}
