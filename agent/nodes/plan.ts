import type { FlatCubeQuery } from '../../semantic/index.ts';
import type { ContextCache, GatheredContext } from '../context-cache.ts';
import {
  anchorQuery,
  asidesMayChange,
  asideWordsLeft,
  boundsLost,
  describeQuery,
  expandAcronyms,
  figureSides,
  formYearOnlyConflict,
  interpret,
  interpretQuery,
  kpiByDescription,
  type Lexicon,
  type LogicalForm,
  looseUnit,
  maskedLookalike,
  mergeFigures,
  periodsMissing,
  personRecords,
  relativeDates,
  restate,
  splitAsides,
  unnamedRecord,
  usedBy,
  yearOnlyConflict,
} from '../interpreter/index.ts';
import type { AgentStateType, AgentUpdate, PlanStep } from '../state.ts';

/**
 * Plan without a model: the interpreter reads the question into a typed interpretation and
 * compiles it to governed SQL or a semantic query, or asks back naming what it could not place.
 */
export function makePlan(cache: ContextCache, now: () => Date) {
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    const ctx = state.ctx;
    if (!ctx) return { status: 'error', error: 'no caller context' };
    return {
      currentPlan: await anchoredPlan(
        state.question,
        await cache.get(ctx),
        state.previousQuery ?? undefined,
        now(),
        (member) => cache.latestDate(ctx, member),
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
 * The offline plan with its relative periods ("last quarter", "past 12 months", "YTD") read
 * against the data's latest date on the date they are of, as the caller sees it: a historic data
 * set asked about "last quarter" is asked about its latest quarter, not one after it ends. The
 * question is read once to find those dates (only when a relative period was bound to one, so
 * other questions cost nothing more), their latest days are looked up (`latestDate`, a governed
 * query, cached), and the question is read again with them. When a date has no latest day the
 * caller can see, the answer asks which period is meant.
 *
 * @example await anchoredPlan('visits last quarter', gathered, undefined, now, (m) => cache.latestDate(ctx, m))
 */
export async function anchoredPlan(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
  latestDate: (member: string) => Promise<string | null>,
): Promise<PlanStep> {
  const asked = new Set<string>();
  const view = datedView(gathered.lexicon);
  const first = view.read(
    (member) => {
      asked.add(member);
      return undefined;
    },
    (lexicon) => offlinePlan(question, { ...gathered, lexicon }, previous, now),
  );
  if (first.kind === 'query') for (const m of relativeDates(first.query)) asked.add(m);
  if (!asked.size) return first;
  const found = new Map(await Promise.all([...asked].map(async (m) => [m, await latestDate(m)] as const)));
  const unknown = [...found].find(([, day]) => !day)?.[0];
  if (unknown) {
    const title = gathered.lexicon.members.get(unknown)?.title ?? unknown;
    return {
      kind: 'clarify',
      message: `I could not find the latest ${title} in the data you can see, so a period counted back from it ("last …", "this …", "past …") has no end to count from. Which period do you mean, as a year, quarter or month?`,
      options: [],
    };
  }
  const latest = (member: string) => found.get(member) ?? undefined;
  const second = view.read(latest, (lexicon) =>
    offlinePlan(question, { ...gathered, lexicon }, previous, now),
  );
  if (second.kind !== 'query') return second;
  return { ...second, query: anchorQuery(second.query, latest, now) };
}

type LatestDateOf = NonNullable<Lexicon['latestDate']>;

/** One lexicon read with a `latestDate` given per reading (see `datedView`). */
interface DatedView {
  read<T>(latestDate: LatestDateOf, reading: (lexicon: Lexicon) => T): T;
}

const datedViews = new WeakMap<Lexicon, DatedView>();

/**
 * The caller's lexicon with a `latestDate` that answers for one synchronous reading at a time.
 * The view is made once per lexicon and kept, so the indexes the interpreter caches per lexicon
 * object are built once, not again for a fresh copy on every question.
 */
function datedView(base: Lexicon): DatedView {
  let view = datedViews.get(base);
  if (view) return view;
  let current: LatestDateOf | undefined;
  const lexicon: Lexicon = { ...base, latestDate: (member) => current?.(member) };
  view = {
    read(latestDate, reading) {
      const before = current;
      current = latestDate;
      try {
        return reading(lexicon);
      } finally {
        current = before;
      }
    },
  };
  datedViews.set(base, view);
  return view;
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
  // "how many of them …" with no earlier answer to refer to: whom "them" means is asked, never
  // guessed as everyone.
  // ("how many refills and what did they cost": "they" stands for what the first figure counts.)
  if (!previous && PRONOUN.test(question) && !figureSides(question, gathered.lexicon))
    return {
      kind: 'clarify',
      message: `Who do you mean by "${PRONOUN.exec(question)?.[1]?.toLowerCase()}"? Name the records, e.g. "how many patients with asthma …".`,
      options: [],
    };
  // Asides that restate or shape the answer ("(row per payer)", "(totalcost)", "according to the
  // encounters table"): the question read without them answers when they only restate what it
  // uses; otherwise it is read with them in place (applied, or their words asked about).
  const { question: plain, asides } = splitAsides(question);
  if (asides.length && plain) {
    const used = { plan: undefined as unknown };
    const step = planSpelled(plain, gathered, previous, now, used);
    if (step.kind === 'sql' || step.kind === 'query') {
      const plainUsed = usedOf(step, used.plan, gathered.lexicon);
      const left = asideWordsLeft(asides, plainUsed, gathered.lexicon);
      if (!left.length) return step;
      // Read with the asides in place, they may add a breakdown or a condition ("(weekly)"), but
      // change the statistic only by naming it: "average claim cost (continuous)" is no percentile
      // whose description says "continuous". Otherwise ask, naming the words not placed.
      const fullUsed = { plan: undefined as unknown };
      const full = planSpelled(question, gathered, previous, now, fullUsed);
      if (full.kind !== 'sql' && full.kind !== 'query') return asideNotPlaced(left);
      const after = usedOf(full, fullUsed.plan, gathered.lexicon);
      return asidesMayChange(asides, plainUsed, after, gathered.lexicon) ? full : asideNotPlaced(left);
    }
  }
  return planSpelled(question, gathered, previous, now, { plan: undefined });
}

/** A pronoun standing for records said before ("of them", "are they"). */
const PRONOUN = /\b(them|they)\b/i;

/** What an answered step uses: its semantic query or logical form, and its interpretation. */
function usedOf(step: PlanStep, plan: unknown, lexicon: Lexicon) {
  const s = step as { kind: string; query?: unknown; interpretation?: string };
  return usedBy(s.kind === 'query' ? s.query : plan, s.interpretation, lexicon);
}

/** A question back naming the words of an aside that nothing in the answer places. */
function asideNotPlaced(words: string[]): PlanStep {
  const said = [...new Set(words)].map((w) => `"${w}"`).join(', ');
  return {
    kind: 'clarify',
    message: `I could not place ${said} (beside your question) in the data you can query. Could you rephrase, or name the field or value you mean?`,
    options: [],
  };
}

/** One reading; words it could not place may be acronyms of stored values ("ckd"): spelled out, read again. */
function planSpelled(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
  used: { plan: unknown },
): PlanStep {
  const first = planOnce(question, gathered, previous, now, used);
  if (first.kind !== 'clarify') return first;
  const acronyms = expandAcronyms(question, gathered.lexicon);
  if (acronyms.kind === 'expanded') {
    const again = planOnce(acronyms.question, gathered, previous, now, used);
    return again.kind === 'clarify' ? first : again;
  }
  if (acronyms.kind === 'ambiguous')
    return {
      kind: 'clarify',
      message: `"${acronyms.word}" could stand for ${acronyms.questions.map((q) => `"${q.phrase}"`).join(' or ')}. Which did you mean?`,
      options: acronyms.questions.map((q) => ({ label: q.phrase, question: q.question })),
    };
  return first;
}

/** One reading of the question; `used` receives the form or query answered, to check asides by. */
function planOnce(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
  used: { plan: unknown },
): PlanStep {
  const both = twoFigures(question, gathered, previous, now, used);
  if (both) return both;
  return planOne(question, gathered, previous, now, used);
}

/**
 * Two figures asked at once ("how many visits and what was their total charge"): each read as its
 * own question (two-figures.ts), then answered as one query with both measures; when they cannot
 * be one query, or one of them cannot be read, asked back naming both — never one answered alone.
 */
function twoFigures(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
  used: { plan: unknown },
): PlanStep | undefined {
  const sides = figureSides(question, gathered.lexicon);
  if (!sides) return undefined;
  // The second figure is read beside the first: of several measures its words name alike
  // ("distinct patients" of each kind of record), the one of the first figure's records.
  const usedA = { plan: undefined as unknown };
  const usedB = { plan: undefined as unknown };
  let a = planOnce(sides.questions[0], gathered, previous, now, usedA);
  let b = planOnce(sides.questions[1], gathered, a.kind === 'query' ? a.query : previous, now, usedB);
  // One side read as governed SQL beside a semantic query ("number of distinct patients" read as
  // a count of entities): the model's own measure of the other side's records, when one reads.
  const semantic = (q: string, beside: FlatCubeQuery, s: PlanStep, form: unknown) => {
    if ((form as LogicalForm | undefined)?.kind !== 'aggregate') return s;
    const again = planOne(q, gathered, beside, now, { plan: undefined }, true);
    return again.kind === 'query' && !again.query.limit ? again : s;
  };
  if (a.kind === 'sql' && b.kind === 'query') a = semantic(sides.questions[0], b.query, a, usedA.plan);
  else if (b.kind === 'sql' && a.kind === 'query') b = semantic(sides.questions[1], a.query, b, usedB.plan);
  const named = (s: PlanStep, i: 0 | 1) =>
    (s.kind === 'query' || s.kind === 'sql') && s.interpretation ? s.interpretation : sides.said[i];
  const both = `"${named(a, 0)}" and "${named(b, 1)}"`;
  const options = sides.questions.map((q, i) => ({ label: named(i === 0 ? a : b, i as 0 | 1), question: q }));
  for (const [s, i] of [
    [a, 0],
    [b, 1],
  ] as const)
    if (s.kind !== 'query' && s.kind !== 'sql')
      return {
        kind: 'clarify',
        message: `You asked for two figures, ${both}. About "${sides.said[i]}": ${s.kind === 'clarify' || s.kind === 'out_of_scope' ? s.message : 'I could not read it'} Could you ask for them one at a time?`,
        options: s.kind === 'clarify' && s.options.length ? s.options : options,
      };
  if (a.kind === 'query' && b.kind === 'query') {
    const merged = mergeFigures(a.query, b.query, gathered.lexicon);
    if (typeof merged !== 'string') {
      used.plan = merged;
      return {
        kind: 'query',
        query: merged,
        notes: a.notes,
        interpretation: describeQuery(merged, gathered.lexicon, now),
      };
    }
    return {
      kind: 'clarify',
      message: `You asked for two figures, ${both}. They ${merged}, so I cannot answer them as one table. Which would you like first?`,
      options,
    };
  }
  return {
    kind: 'clarify',
    message: `You asked for two figures, ${both}, which are computed in different ways, so I cannot answer them as one table. Which would you like first?`,
    options,
  };
}

/**
 * A question back when a query's periods cannot answer as asked: dates the caller sees as years
 * answer by year only (a finer grain would answer another question), and a measure comparing each
 * period with an earlier one needs the periods named.
 */
function periodConflict(query: FlatCubeQuery, lexicon: Lexicon): PlanStep | undefined {
  const message = yearOnlyConflict(query, lexicon) ?? periodsMissing(query, lexicon);
  return message ? { kind: 'clarify', message, options: [] } : undefined;
}

/**
 * A question back when a reading answers something the question did not say: another cube's
 * member in place of the named records' own masked one (a look-alike), or — when `oneRecord` —
 * one record named by "the drug" without saying which.
 */
function notSaid(
  question: string,
  plan: unknown,
  lexicon: Lexicon,
  oneRecord: boolean,
): PlanStep | undefined {
  const lookalike = maskedLookalike(question, plan, lexicon);
  if (lookalike) return { kind: 'clarify', message: lookalike, options: [] };
  const which = oneRecord ? unnamedRecord(question, plan, lexicon) : undefined;
  return which ? { kind: 'clarify', ...which } : undefined;
}

/** One reading of a question asking one figure. */
function planOne(
  question: string,
  gathered: GatheredContext,
  previous: FlatCubeQuery | undefined,
  now: Date,
  used: { plan: unknown },
  /** Only the semantic-query reading (a figure asked beside another, see `twoFigures`). */
  semanticOnly = false,
): PlanStep {
  const read: ReturnType<typeof interpret> = semanticOnly
    ? { kind: 'none' }
    : interpret(question, gathered.lexicon, now);
  if (read.kind === 'form') {
    used.plan = read.form;
    // Dates the caller sees as years answer for whole years only, on every path.
    const yearOnly = formYearOnlyConflict(read.form, gathered.lexicon);
    if (yearOnly) return { kind: 'clarify', message: yearOnly, options: [] };
    const unsaid = notSaid(question, read.form, gathered.lexicon, !previous);
    if (unsaid) return unsaid;
    return {
      kind: 'sql',
      sql: read.sql,
      interpretation: read.interpretation,
      percent: read.form.kind === 'share',
      grain: periodGrain(read.form),
    };
  }
  if (read.kind === 'refuse') return { kind: 'out_of_scope', message: read.message };
  if (read.kind === 'clarify')
    return (
      (read.unplaced.length ? byDescription(question, gathered.lexicon, now) : undefined) ?? {
        kind: 'clarify',
        message: read.message,
        options: read.options,
      }
    );
  const plain = interpretQuery(question, gathered.lexicon, now, previous);
  // Words left unplaced may be a person's name: the records of that person (person-records.ts).
  const query =
    (plain.kind === 'clarify'
      ? personRecords(question, gathered.lexicon, (q) => interpretQuery(q, gathered.lexicon, now, previous))
      : undefined) ?? plain;
  if (query.kind === 'refuse') return { kind: 'out_of_scope', message: query.message };
  if (query.kind === 'clarify')
    return (
      (!query.options.length ? byDescription(question, gathered.lexicon, now) : undefined) ?? {
        kind: 'clarify',
        message: query.message,
        options: query.options,
      }
    );
  const unanswerable = periodConflict(query.query, gathered.lexicon);
  if (unanswerable) return unanswerable;
  const unsaid = notSaid(question, query.query, gathered.lexicon, !previous);
  if (unsaid) return unsaid;
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
  // A bound the question says ("aged 65 and over") that the restated reading dropped: asked back.
  const lost = query?.kind === 'query' ? boundsLost(question, query.query) : [];
  if (query?.kind === 'query' && query.query.measures?.includes(best.member.member) && !lost.length) {
    const unanswerable = periodConflict(query.query, lexicon);
    if (unanswerable) return unanswerable;
    const unsaid = notSaid(question, query.query, lexicon, false);
    if (unsaid) return unsaid;
    return {
      kind: 'query',
      query: query.query,
      notes: [query.reading],
      interpretation: query.interpretation,
    };
  }
  const left = [...best.left.map((t) => `"${t.word}"`), ...lost.map((b) => `"${b.said}"`)].join(', ');
  return {
    kind: 'clarify',
    message: `Did you mean ${title}?${left ? ` I could not place ${left} in it.` : ''}`,
    options: [{ label: title, question: title }],
  };
}
