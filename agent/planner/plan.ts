import { canReach, exampleKey, type PlannerCatalog } from './catalog.ts';
import { countedEntity, unanswered, unresolvedNames, unsupportedAsk } from './fallbacks.ts';
import { type FollowUpChanges, mergeFollowUp } from './follow-up.ts';
import { readIntent } from './intent.ts';
import { claimIdentifiers, identifierDimensions, listQuery } from './lists.ts';
import {
  type Candidate,
  mentionedDimensions,
  namedCubes,
  namedCubesOwn,
  phraseScore,
  resolveDimension,
  scoreMeasures,
} from './members.ts';
import type { FlatCubeQuery, Plan } from './query.ts';
import { words } from './text.ts';
import { readTime } from './time.ts';
import { claim, type Token, tokenize } from './tokens.ts';
import { explainedTokens, partialValueFilters, wholeValueFilters } from './value-filters.ts';
import type { ValueIndex } from './values.ts';
import { yearOnlyConflict } from './year-only.ts';

const FOLLOW_UP =
  /^\s*(and|also|what about|how about|now|only|just|same|instead|but|then|ok|okay|break (it|that|this) down|split (it|that|this)|drill)\b/i;

function free(tokens: readonly Token[]): Set<number> {
  return new Set(tokens.flatMap((t, i) => (t.content && !t.used ? [i] : [])));
}

/**
 * Turn a question into a semantic query without a model: members by name, title and synonyms
 * (stemmed, small typos), stored values and the model's value synonyms, words inside values,
 * time phrases, top/bottom N, lists and follow-ups. When unsure it asks instead of guessing;
 * it refuses writes and identifiers the caller may not see.
 *
 * @example planQuestion('how many encounters by class in 2019', catalog, values, undefined, new Date())
 */
export function planQuestion(
  question: string,
  catalog: PlannerCatalog,
  values: ValueIndex,
  previous: FlatCubeQuery | undefined,
  now: Date,
): Plan {
  const plan = planUnchecked(question, catalog, values, previous, now);
  return plan.kind === 'query' ? (yearOnlyConflict(plan.query, catalog) ?? plan) : plan;
}

function planUnchecked(
  question: string,
  catalog: PlannerCatalog,
  values: ValueIndex,
  previous: FlatCubeQuery | undefined,
  now: Date,
): Plan {
  const q = question.trim();
  // A question the model's authors verified, asked as they wrote it, gets their query.
  const example = catalog.examples.get(exampleKey(q));
  if (example)
    return {
      kind: 'query',
      query: structuredClone(example.query) as FlatCubeQuery,
      notes: ['verified example'],
    };
  const time = readTime(q, now);
  const text = words(time.rest).join(' ');
  const tokens = tokenize(text);
  const intent = readIntent(q, text, tokens);
  if (intent.write) {
    return {
      kind: 'out_of_scope',
      message: 'I only read data: I cannot change data, tables or permissions.',
    };
  }
  const named0 = namedCubesOwn(tokens, catalog, free(tokens));

  // Identifiers asked for must be members the caller can see, or the answer is no.
  const identifiers = identifierDimensions(intent.identifiers, named0, catalog);
  if (identifiers.missing.length) {
    return {
      kind: 'out_of_scope',
      message: `You don't have access to ${identifiers.missing.join(', ')} in this data.`,
    };
  }
  const identifierTokens = claimIdentifiers(tokens);

  // Values named whole ("Medicare", "women", "urgent care").
  const { filters, valueDims, valueAt } = wholeValueFilters(tokens, values, catalog, named0, intent.compare);

  // Groupings: a phrase with an aggregation word or that names a measure better than a dimension is
  // what to rank or measure by ("by number of visits"), not a grouping.
  const groups: number[][] = [];
  const groupCubes = new Set<string>();
  let rankedBy = intent.rankedBy;
  for (const g of intent.groups) {
    const phrase = g.tokens.filter((i) => !tokens[i]?.used);
    if (!phrase.length) continue;
    const allowed = new Set(phrase);
    const measureScore = Math.max(
      0,
      ...catalog.entries
        .filter((e) => e.kind === 'measure')
        .map((e) => phraseScore(tokens, e, allowed).score),
    );
    const dim = resolveDimension(tokens, phrase, catalog, undefined, new Set());
    // "top 3 payers by encounters": a cube named after "by" in a ranking is what to rank by.
    const namesCube = [...namedCubes(tokens, catalog, allowed).values()].some(
      (h) => h.length === phrase.length,
    );
    if (g.aggregate || (measureScore > (dim?.score ?? 0) && !dim) || (intent.top && namesCube)) {
      rankedBy ??= phrase[0];
      continue;
    }
    groups.push(phrase);
    if (dim) groupCubes.add(dim.cube);
    claim(tokens, phrase);
  }

  // Top N without "by …": the words naming what is ranked ("encounter classes", "race").
  let rankedDim: string | undefined;
  if (intent.top && !groups.length) {
    const d = mentionedDimensions(tokens, catalog, undefined, new Set(named0.keys())).find((c) => {
      const info = catalog.members.get(c.member);
      return info?.type === 'string' && !info.masked;
    });
    if (d) {
      rankedDim = d.member;
      groupCubes.add(d.cube);
      claim(tokens, d.covered);
    }
  }

  // Words inside values ("diabetes", "insulin"), from the words no member or cube explains.
  const lexical = explainedTokens(tokens, catalog, identifierTokens);
  partialValueFilters(tokens, values, catalog, named0, lexical, filters);

  // Segments named ("living patients").
  const segments: string[] = [];
  const stillFree = free(tokens);
  for (const e of catalog.entries) {
    if (e.kind !== 'segment') continue;
    const { covered } = phraseScore(tokens, e, stillFree);
    if (covered.length === e.phrase.length && !segments.includes(e.member)) {
      segments.push(e.member);
      claim(tokens, covered);
    }
  }

  const named = namedCubesOwn(tokens, catalog, free(tokens));
  const filterCubes = new Set(filters.map((f) => f.member.split('.')[0] as string));
  const previousCube = previous?.measures?.[0]?.split('.')[0];
  let candidates = scoreMeasures(tokens, catalog, {
    agg: intent.agg,
    ratio: intent.ratio,
    counted: intent.counted,
    rankedBy,
    filterCubes,
    groupCubes,
    named,
    previousCube,
  });
  if (!candidates.length && intent.count) {
    const entity = countedEntity(intent.counted, valueAt, filterCubes, catalog);
    if (entity)
      candidates = [{ member: entity, cube: entity.split('.')[0] as string, score: 1, covered: [] }];
  }
  const isFollowUp =
    Boolean(previous) && (FOLLOW_UP.test(q) || (!candidates.length && !named.size && !intent.list));

  // Lists: "which patients …", "list the payers", "what kinds of care plans …".
  const best = candidates[0];
  const countLike = (c: Candidate | undefined) =>
    !c || ['count', 'countDistinct'].includes(catalog.members.get(c.member)?.aggType ?? '');
  if (
    (intent.list || identifiers.dimensions.length) &&
    !intent.top &&
    !intent.count &&
    countLike(best) &&
    !isFollowUp
  ) {
    const list = listQuery({
      tokens,
      catalog,
      named,
      filters,
      segments,
      identifiers: identifiers.dimensions,
      time,
      kinds: intent.kinds,
    });
    if (list) return { kind: 'query', query: list, notes: ['list'] };
  }

  let measure: string | undefined;
  if (best) {
    const tied = candidates.filter((c) => c.score >= best.score - 0.02);
    if (tied.length > 1) {
      return {
        kind: 'clarify',
        message: 'Which of these did you mean?',
        options: clarifyOptions(tied.slice(0, 5), catalog, q),
      };
    }
    measure = best.member;
    claim(tokens, best.covered);
  }

  const groupDims = (cube: string | undefined) => {
    const dims: string[] = [];
    let granularity = time.granularity;
    const preferred = new Set([...filterCubes, ...named.keys()]);
    for (const phrase of groups) {
      const d = resolveDimension(tokens, phrase, catalog, cube, preferred);
      if (!d) continue;
      if (catalog.members.get(d.member)?.kind === 'time') granularity ??= 'month';
      else if (!dims.includes(d.member)) dims.push(d.member);
    }
    return { dims: [...dims, ...valueDims.filter((v) => !dims.includes(v))], granularity };
  };

  if (isFollowUp && previous) {
    const cube = (measure ?? previous.measures?.[0] ?? '').split('.')[0];
    const { dims, granularity } = groupDims(cube);
    const changes: FollowUpChanges = {
      measure,
      agg: measure ? undefined : intent.agg,
      dimensions: dims,
      filters,
      segments,
      dateRange: time.dateRange,
      granularity,
      top: intent.top?.explicit ? intent.top : undefined,
    };
    const merged = mergeFollowUp(previous, changes, catalog);
    if (JSON.stringify(merged) !== JSON.stringify(previous))
      return { kind: 'query', query: merged, notes: ['follow-up'] };
    return { kind: 'clarify', message: 'What would you like to change about the last answer?', options: [] };
  }

  if (!measure && intent.top) {
    const first =
      rankedDim?.split('.')[0] ??
      [...named.entries()].sort((a, b) => (a[1][0] ?? 0) - (b[1][0] ?? 0))[0]?.[0];
    measure = first ? catalog.countMeasure.get(first) : undefined;
  }
  if (!measure) return unanswered(tokens, catalog, { filters, groups, time, intent, named });

  const unsupported = unsupportedAsk(q, intent, catalog.members.get(measure)?.aggType);
  if (unsupported) return { kind: 'clarify', message: unsupported, options: [] };
  const measureCube = measure.split('.')[0] as string;
  // "cost per encounter": a grouping that names the measure's own cube is its unit, not a grouping.
  for (let i = groups.length - 1; i >= 0; i--) {
    const phrase = groups[i] as number[];
    const own = namedCubes(tokens, catalog, new Set(phrase)).get(measureCube);
    if (own && own.length === phrase.length) groups.splice(i, 1);
  }
  const { dims, granularity } = groupDims(measureCube);
  const query: FlatCubeQuery = { measures: [measure] };
  if (rankedDim && !dims.length && canReach(catalog, measureCube, rankedDim.split('.')[0] as string))
    dims.push(rankedDim);
  if (intent.top && !dims.length) {
    const preferred = new Set([...filterCubes, ...named.keys()]);
    const mentioned = mentionedDimensions(tokens, catalog, measureCube, preferred).find(
      (d) => catalog.members.get(d.member)?.type === 'string',
    );
    const other = [...named.entries()]
      .filter(([c]) => c !== measureCube)
      .sort((a, b) => (a[1][0] ?? 0) - (b[1][0] ?? 0))
      .map(([c]) => catalog.label.get(c))
      .find(Boolean);
    const ranked = mentioned?.member ?? other ?? catalog.label.get(measureCube);
    if (ranked) dims.push(ranked);
  }
  if (dims.length) query.dimensions = dims;
  if (segments.length) query.segments = segments;
  if (time.dateRange || granularity) {
    const dimension = catalog.timeDimension.get(measureCube);
    if (!dimension) {
      return {
        kind: 'clarify',
        message: `${catalog.cubes.find((c) => c.name === measureCube)?.title ?? measureCube} has no date to filter or group by. Ask without the time period?`,
        options: [],
      };
    }
    const td: NonNullable<FlatCubeQuery['timeDimensions']>[number] = { dimension };
    if (granularity) td.granularity = granularity;
    if (time.dateRange) td.dateRange = time.dateRange;
    query.timeDimensions = [td];
  }
  if (intent.top) {
    query.order = [[measure, intent.top.direction]];
    query.limit = intent.top.limit;
    const ranked = dims[0];
    if (ranked) filters.push({ member: ranked, operator: 'set' });
  } else if (dims.length) query.order = [[measure, 'desc']];
  if (filters.length) query.filters = filters;
  // Names nothing matched, and words of what "how many" counts ("dialysis procedures") that match
  // nothing: answering without them would answer another question.
  const unresolved = [
    ...unresolvedNames(q, tokens, lexical),
    ...(intent.counted ?? [])
      .filter((i) => tokens[i]?.content && !tokens[i]?.used && !lexical.has(i))
      .map((i) => tokens[i]?.word as string),
  ];
  if (unresolved.length) {
    return {
      kind: 'clarify',
      message: `I could not find ${unresolved.map((u) => `"${u}"`).join(', ')} in the data you can query. Which values did you mean?`,
      options: [],
    };
  }
  // Why this measure: the runner-up scores, for whoever reads the plan (names and scores only).
  const why = candidates.slice(0, 3).map((c) => `${c.member}=${c.score.toFixed(2)}`);
  return { kind: 'query', query, notes: why.length ? [`measures: ${why.join(', ')}`] : [] };
}

/**
 * Choices for a clarification, each label unique: two measures with the same title (total revenue
 * of encounters and of medications) are told apart by their cube, and each choice is a question
 * the planner answers without asking again.
 */
function clarifyOptions(
  tied: ReadonlyArray<{ member: string }>,
  catalog: PlannerCatalog,
  question: string,
): Array<{ label: string; question: string }> {
  const title = (m: string) => catalog.members.get(m)?.title ?? m;
  const counts = new Map<string, number>();
  for (const c of tied) counts.set(title(c.member), (counts.get(title(c.member)) ?? 0) + 1);
  const rest = /\b(by|per|in|for|since|during)\b.*/i.exec(question)?.[0];
  return tied.map((c) => {
    const cube = c.member.split('.')[0] as string;
    const cubeTitle = catalog.cubes.find((x) => x.name === cube)?.title ?? cube;
    const shared = (counts.get(title(c.member)) ?? 0) > 1;
    const label = shared ? `${title(c.member)} (${cubeTitle})` : title(c.member);
    const base = shared ? `${title(c.member)} of ${cubeTitle.toLowerCase()}` : title(c.member);
    return { label, question: rest ? `${base} ${rest}` : base };
  });
}
