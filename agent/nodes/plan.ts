import type { FlatCubeQuery } from '../../semantic/index.ts';
import type { ContextCache, GatheredContext } from '../context-cache.ts';
import {
  interpret,
  interpretQuery,
  kpiByDescription,
  type Lexicon,
  type LogicalForm,
  looseUnit,
  restate,
  yearOnlyConflict,
} from '../interpreter/index.ts';
import type { AgentStateType, AgentUpdate, PlanStep } from '../state.ts';

/**
 * Plan without a model: the interpreter reads the question into a typed interpretation and
 * compiles it to governed SQL or a semantic query, or asks back naming what it could not place.
 */
export function makePlan(cache: ContextCache, now: () => Date) {
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    return {
      currentPlan: offlinePlan(
        state.question,
        await cache.get(state.ctx),
        state.previousQuery ?? undefined,
        now(),
      ),
    };
  };
}

/** The grain of a form's "period" column: a running total's, or a breakdown by a time grain. */
function periodGrain(f: LogicalForm): string | undefined {
  if (f.kind === 'cumulative') return f.grain;
  return f.groupBy && 'grain' in f.groupBy ? f.groupBy.grain : undefined;
}

/**
 * The offline plan for a question: the kinds that need governed SQL (statistics, shares,
 * per-entity figures, thresholds, cohorts, lookups, period changes) first, then aggregates, lists,
 * rankings and follow-ups as semantic queries. `previous` is the last answered semantic query of
 * the conversation (the follow-up state).
 */
export function offlinePlan(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
): PlanStep {
  const read = interpret(question, gathered.lexicon, now);
  if (read.kind === 'form')
    return {
      kind: 'sql',
      sql: read.sql,
      interpretation: read.interpretation,
      percent: read.form.kind === 'share',
      grain: periodGrain(read.form),
    };
  if (read.kind === 'refuse') return { kind: 'out_of_scope', message: read.message };
  if (read.kind === 'clarify')
    return (
      (read.unplaced.length ? byDescription(question, gathered.lexicon, now) : undefined) ?? {
        kind: 'clarify',
        message: read.message,
        options: read.options,
      }
    );
  const query = interpretQuery(question, gathered.lexicon, now, previous);
  if (query.kind === 'refuse') return { kind: 'out_of_scope', message: query.message };
  if (query.kind === 'clarify')
    return (
      (!query.options.length ? byDescription(question, gathered.lexicon, now) : undefined) ?? {
        kind: 'clarify',
        message: query.message,
        options: query.options,
      }
    );
  // Dates the caller sees as years answer by year only: a finer grain would answer another question.
  const yearOnly = yearOnlyConflict(query.query, gathered.lexicon);
  if (yearOnly) return { kind: 'clarify', message: yearOnly, options: [] };
  return {
    kind: 'query',
    query: query.query,
    notes: [query.reading],
    interpretation: query.interpretation,
    // A ranking cut at a stated number tells the rows tied with its last one.
    ...(query.reading === 'rank' && query.query.limit ? { reportTies: true } : {}),
  };
}

/**
 * A question the plain readings could not place, read against what the model's measures compute
 * (their descriptions, kpi.ts): answered through the measure's own title when it explains every
 * word, offered as a choice when it explains only some — never computed in place of the question.
 */
function byDescription(question: string, lexicon: Lexicon, now: Date): PlanStep | undefined {
  const [best, second] = kpiByDescription(question, lexicon);
  if (!best) return undefined;
  const title = best.member.title;
  // Two measures explain the words about as well: both are offered.
  if (second && second.score >= best.score * 0.9 && second.member.title !== title)
    return {
      kind: 'clarify',
      message: 'That could be one of two measures. Which did you mean?',
      options: [best, second].map((m) => ({ label: m.member.title, question: restate(question, m) })),
    };
  const again = restate(question, best);
  const query = looseUnit(question, best) ? undefined : interpretQuery(again, lexicon, now, undefined);
  if (query?.kind === 'query' && query.query.measures?.includes(best.member.member)) {
    const yearOnly = yearOnlyConflict(query.query, lexicon);
    if (yearOnly) return { kind: 'clarify', message: yearOnly, options: [] };
    return {
      kind: 'query',
      query: query.query,
      notes: [query.reading],
      interpretation: query.interpretation,
    };
  }
  const left = best.left.map((t) => `"${t.word}"`).join(', ');
  return {
    kind: 'clarify',
    message: `Did you mean ${title}?${left ? ` I could not place ${left} in it.` : ''}`,
    options: [{ label: title, question: title }],
  };
}
