import type { LexiconEntry, PlannerCatalog } from './catalog.ts';
import { isStopWord, stem, tokenMatches, words } from './text.ts';
import { type Granularity, readTime } from './time.ts';

/** Cube's REST query, the subset the planner writes. */
export interface CubeQuery {
  measures?: string[];
  dimensions?: string[];
  timeDimensions?: Array<{
    dimension: string;
    granularity?: Granularity;
    dateRange?: string | [string, string];
  }>;
  filters?: Array<{ member: string; operator: string; values?: string[] }>;
  order?: Array<[string, 'asc' | 'desc']>;
  limit?: number;
  ungrouped?: boolean;
}

/** Distinct values per dimension, already filtered by the caller's row policy. */
export type ValueIndex = ReadonlyArray<{ dimension: string; values: readonly string[] }>;

/** What the planner decided: a query, a question back, or that the question is out of scope. */
export type Plan =
  | { kind: 'query'; query: CubeQuery; notes: string[] }
  | { kind: 'clarify'; message: string; options: Array<{ label: string; question: string }> }
  | { kind: 'out_of_scope'; message: string };

const FOLLOW_UP =
  /^\s*(and|also|what about|how about|now|only|just|same|instead|but|then|ok|okay|break (it|that) down|split (it|that))\b/i;
const TOP =
  /\b(top|bottom|highest|lowest|most|least|largest|smallest|biggest|fewest|leading)\b(?:\s+(\d{1,3}))?/;
const COUNT = /\b(how many|number of|count of|count|total number|no\. of|# of|volume of)\b/;
const LIST = /^\s*(list|which|show (me )?(the |all )?|who are|name the|what are the)\b/;
const AVG = /\b(average|avg|mean|typical)\b/;
const SUM = /\b(total|sum|overall|combined|aggregate)\b/;
const GROUP =
  /\b(?:by|per|for each|for every|across|broken down by|grouped by|split by|breakdown by|by each)\s+((?:(?!\b(?:and then|in|for|with|during|since|from|between|where|order|sorted|top|over|last|this|who|that|which)\b)[a-z0-9 ])+)/g;
const LABEL_NAMES = ['description', 'name', 'title', 'label', 'code'];

/**
 * Turn a question into a semantic query without a model: members by name, title and synonyms
 * (stemmed, small typos), dimension values from the value index, time phrases, top/bottom N,
 * lists and follow-ups. When unsure, asks instead of guessing.
 *
 * @example planQuestion('how many encounters by class in 2019', catalog, values, undefined, new Date())
 */
export function planQuestion(
  question: string,
  catalog: PlannerCatalog,
  values: ValueIndex,
  previous: CubeQuery | undefined,
  now: Date,
): Plan {
  const notes: string[] = [];
  const time = readTime(question, now);
  let text = ` ${words(time.rest).join(' ')} `;
  const blank = (phrase: string) => {
    text = text.replace(` ${phrase} `, ` ${' '.repeat(phrase.length)} `).replace(/\s+/g, ' ');
    text = ` ${text.trim()} `;
  };

  // Top / bottom N.
  let limit: number | undefined;
  let direction: 'asc' | 'desc' | undefined;
  const top = TOP.exec(text);
  if (top) {
    direction = /bottom|lowest|least|smallest|fewest/.test(top[1] as string) ? 'asc' : 'desc';
    limit = top[2] ? Number(top[2]) : /most|least|highest|lowest/.test(top[1] as string) ? 1 : 10;
    blank(top[0].trim());
  }
  const countIntent = COUNT.test(` ${question.toLowerCase()} `);
  const listIntent = LIST.test(question.toLowerCase()) && !countIntent;
  const aggIntent: string | undefined = AVG.test(text)
    ? 'avg'
    : SUM.test(text)
      ? 'sum'
      : countIntent
        ? 'count'
        : undefined;

  // Dimension values ("for Humana", "ambulatory encounters").
  const filters: NonNullable<CubeQuery['filters']> = [];
  for (const { dimension, value } of matchValues(text, values)) {
    filters.push({ member: dimension, operator: 'equals', values: [value] });
    blank(words(value).join(' '));
  }

  // Group-by phrases: read now (their words must not pick the measure), resolved once the
  // measure is known so a dimension of the measure's own cube wins a tie.
  const groupPhrases: string[][] = [];
  let granularity = time.granularity;
  for (const m of text.matchAll(GROUP)) {
    for (const part of (m[1] as string).split(/\band\b|,/)) {
      const tokens = withCompounds(
        words(part)
          .map(stem)
          .filter((w) => !isStopWord(w)),
      );
      if (tokens.length) groupPhrases.push(tokens);
    }
    blank((m[0] as string).trim());
  }

  const tokens = withCompounds(
    words(text)
      .map(stem)
      .filter((w) => !isStopWord(w)),
  );
  const measureCandidates = bestEntries(
    tokens,
    catalog.entries.filter((e) => e.kind === 'measure'),
    aggIntent,
  );
  const namedCube = cubeNamed(tokens, catalog);
  const preferred = new Set(
    [measureCandidates[0]?.cube, namedCube, ...filters.map((f) => f.member.split('.')[0])].filter(
      Boolean,
    ) as string[],
  );
  const dimensions: string[] = [];
  let rankByCube: string | undefined;
  for (const phrase of groupPhrases) {
    // "top 3 payers by encounters": a cube's name after "by" is what to rank by, not a grouping.
    const cubeOfPhrase = cubeNamed(phrase, catalog);
    if (cubeOfPhrase && limit !== undefined && cubeOfPhrase !== namedCube) {
      rankByCube = cubeOfPhrase;
      continue;
    }
    const best = bestEntries(
      phrase,
      catalog.entries.filter((e) => e.kind !== 'measure'),
      undefined,
      preferred,
    )[0];
    if (best && best.kind === 'time') granularity ??= 'month';
    else if (best && !dimensions.includes(best.member)) dimensions.push(best.member);
  }

  const mentionedCube = namedCube ?? filters[0]?.member.split('.')[0] ?? dimensions[0]?.split('.')[0];
  const isFollowUp =
    Boolean(previous) && (FOLLOW_UP.test(question) || (!measureCandidates.length && !mentionedCube));

  let measure: string | undefined;
  if (rankByCube && !measureCandidates.length) {
    measure = catalog.cubes
      .find((c) => c.name === rankByCube)
      ?.measures.find((m) => m.aggType === 'count')?.name;
  } else if (measureCandidates.length) {
    const [first, second] = measureCandidates;
    if (second && second.score === first?.score && second.member !== first.member) {
      const tied = measureCandidates.filter((c) => c.score === first?.score);
      const preferred = tied.find((c) => c.cube === mentionedCube);
      if (!preferred) {
        return {
          kind: 'clarify',
          message: 'Which of these did you mean?',
          options: uniqueBy(tied, (c) => c.member)
            .slice(0, 5)
            .map((c) => ({
              label: catalog.members.get(c.member)?.title ?? c.member,
              question: rephrase(question, c.member, catalog),
            })),
        };
      }
      measure = preferred.member;
    } else {
      measure = first?.member;
    }
  } else if (namedCube && (countIntent || !listIntent)) {
    // Only count a cube the question names; a lone "by gender" asks what to measure.
    const count = catalog.cubes
      .find((c) => c.name === mentionedCube)
      ?.measures.find((m) => m.aggType === 'count');
    measure = count?.name;
    if (measure) notes.push(`counted ${mentionedCube}`);
  }

  if (isFollowUp && previous) {
    return {
      kind: 'query',
      query: mergeFollowUp(previous, {
        measure,
        dimensions,
        filters,
        time: { ...time, granularity },
        catalog,
      }),
      notes: ['follow-up'],
    };
  }

  if (listIntent && mentionedCube && !measure) {
    const cube = catalog.cubes.find((c) => c.name === mentionedCube);
    const shown = (cube?.dimensions ?? [])
      .filter((d) => d.type !== 'time' || dimensions.length === 0)
      .slice(0, 6)
      .map((d) => d.name);
    const query: CubeQuery = {
      dimensions: [...new Set([...dimensions, ...shown])],
      ungrouped: true,
      limit: limit ?? 100,
    };
    if (filters.length) query.filters = filters;
    addTime(query, mentionedCube, time.dateRange, undefined, catalog);
    return { kind: 'query', query, notes: ['list'] };
  }

  if (!measure) {
    if (dimensions.length || filters.length) {
      const cubes = [
        ...new Set([...dimensions, ...filters.map((f) => f.member)].map((m) => m.split('.')[0] as string)),
      ];
      const options = cubes.flatMap(
        (c) => catalog.cubes.find((x) => x.name === c)?.measures.slice(0, 3) ?? [],
      );
      return {
        kind: 'clarify',
        message: 'What would you like to measure?',
        options: options.map((m) => ({
          label: m.title ?? m.name,
          question: rephrase(question, m.name, catalog),
        })),
      };
    }
    return {
      kind: 'out_of_scope',
      message: `I can only answer questions about the data in the model: ${catalog.cubes
        .map((c) => c.title ?? c.name)
        .slice(0, 12)
        .join(', ')}.`,
    };
  }

  const measureCube = measure.split('.')[0] as string;
  if (limit !== undefined && dimensions.length === 0 && mentionedCube) {
    const label = labelDimension(catalog, mentionedCube === measureCube ? measureCube : mentionedCube);
    if (label) dimensions.push(label);
  }
  const query: CubeQuery = { measures: [measure] };
  if (dimensions.length) query.dimensions = dimensions;
  if (filters.length) query.filters = filters;
  addTime(query, measureCube, time.dateRange, granularity, catalog);
  if (limit !== undefined) {
    query.order = [[measure, direction ?? 'desc']];
    query.limit = limit;
  } else if (dimensions.length) {
    query.order = [[measure, 'desc']];
  }
  return { kind: 'query', query, notes };
}

interface Scored extends LexiconEntry {
  score: number;
}

/** Entries whose whole phrase occurs in the tokens, best first; the aggregation word breaks ties. */
function bestEntries(
  tokens: string[],
  entries: LexiconEntry[],
  aggIntent?: string,
  preferCubes?: ReadonlySet<string>,
): Scored[] {
  const byMember = new Map<string, Scored>();
  for (const e of entries) {
    if (!e.phrase.length) continue;
    const matched = e.phrase.filter((p) => tokens.some((t) => tokenMatches(t, p))).length;
    // Most of a phrase must be there ("average claim cost" finds "avg total claim cost"), and a
    // one-word phrase entirely.
    if (
      matched === 0 ||
      matched < Math.ceil(e.phrase.length * 0.6) ||
      (e.phrase.length <= 2 && matched < e.phrase.length)
    )
      continue;
    let score = matched * e.weight - 0.4 * (e.phrase.length - matched);
    if (aggIntent && e.aggType) {
      if (e.aggType === aggIntent || (aggIntent === 'count' && e.aggType === 'countDistinct')) score += 0.5;
      else if (aggIntent !== 'count' && (e.aggType === 'sum' || e.aggType === 'avg' || e.aggType === 'count'))
        score -= 0.3;
    }
    if (preferCubes?.has(e.cube)) score += 0.3;
    const prev = byMember.get(e.member);
    if (!prev || prev.score < score) byMember.set(e.member, { ...e, score });
  }
  return [...byMember.values()].sort((a, b) => b.score - a.score || a.member.localeCompare(b.member));
}

/** Tokens plus adjacent pairs run together, so "encounter class" also reads as "encounterclass". */
function withCompounds(tokens: string[]): string[] {
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i++)
    out.push(`${tokens[i]}${tokens[i + 1]}`, stem(`${tokens[i]}${tokens[i + 1]}`));
  return out;
}

/** The cube the question names, by its name, title or synonyms (the longest match wins). */
function cubeNamed(tokens: string[], catalog: PlannerCatalog): string | undefined {
  let best: { cube: string; score: number } | undefined;
  for (const [cube, phrases] of catalog.cubeWords) {
    for (const phrase of phrases) {
      if (phrase.length && phrase.every((p) => tokens.some((t) => tokenMatches(t, p)))) {
        if (!best || phrase.length > best.score) best = { cube, score: phrase.length };
      }
    }
  }
  return best?.cube;
}

function matchValues(text: string, values: ValueIndex): Array<{ dimension: string; value: string }> {
  const found: Array<{ dimension: string; value: string; len: number }> = [];
  const used = new Set<string>();
  const all = values.flatMap(({ dimension, values: vs }) =>
    vs.map((value) => ({ dimension, value, norm: words(value).join(' ') })),
  );
  all.sort((a, b) => b.norm.length - a.norm.length);
  for (const v of all) {
    if (v.norm.length < 3 || used.has(v.norm)) continue;
    const singular = v.norm.replace(/s$/, '');
    const hit = text.includes(` ${v.norm} `)
      ? v.norm
      : text.includes(` ${singular} `) && singular.length >= 4
        ? singular
        : undefined;
    if (!hit) continue;
    if (found.some((f) => f.value.toLowerCase().includes(hit))) continue;
    used.add(v.norm);
    found.push({ dimension: v.dimension, value: v.value, len: hit.length });
  }
  return found;
}

function labelDimension(catalog: PlannerCatalog, cube: string): string | undefined {
  const dims = catalog.cubes.find((c) => c.name === cube)?.dimensions ?? [];
  for (const n of LABEL_NAMES) {
    const d = dims.find((x) => x.name === `${cube}.${n}`);
    if (d) return d.name;
  }
  return dims.find((d) => d.type === 'string' && !/(^|\.)(id|.*_id)$/.test(d.name))?.name;
}

function addTime(
  query: CubeQuery,
  cube: string,
  dateRange: string | [string, string] | undefined,
  granularity: Granularity | undefined,
  catalog: PlannerCatalog,
): void {
  if (!dateRange && !granularity) return;
  const dimension = catalog.timeDimension.get(cube);
  if (!dimension) return;
  const td: NonNullable<CubeQuery['timeDimensions']>[number] = { dimension };
  if (granularity) td.granularity = granularity;
  if (dateRange) td.dateRange = dateRange;
  query.timeDimensions = [td];
}

function mergeFollowUp(
  previous: CubeQuery,
  add: {
    measure: string | undefined;
    dimensions: string[];
    filters: NonNullable<CubeQuery['filters']>;
    time: { dateRange?: string | [string, string]; granularity?: Granularity | undefined };
    catalog: PlannerCatalog;
  },
): CubeQuery {
  const q: CubeQuery = structuredClone(previous);
  if (add.measure) q.measures = [add.measure];
  if (add.dimensions.length) q.dimensions = [...new Set([...(q.dimensions ?? []), ...add.dimensions])];
  if (add.filters.length) {
    const replaced = new Set(add.filters.map((f) => f.member));
    q.filters = [...(q.filters ?? []).filter((f) => !replaced.has(f.member)), ...add.filters];
  }
  if (add.time.dateRange || add.time.granularity) {
    const cube = (q.measures?.[0] ?? q.dimensions?.[0] ?? '').split('.')[0] as string;
    const prevTd = q.timeDimensions?.[0];
    const dimension = prevTd?.dimension ?? add.catalog.timeDimension.get(cube);
    if (dimension) {
      const td: NonNullable<CubeQuery['timeDimensions']>[number] = { dimension };
      const g = add.time.granularity ?? prevTd?.granularity;
      const r = add.time.dateRange ?? prevTd?.dateRange;
      if (g) td.granularity = g;
      if (r) td.dateRange = r;
      q.timeDimensions = [td];
    }
  }
  return q;
}

function rephrase(question: string, member: string, catalog: PlannerCatalog): string {
  const title = catalog.members.get(member)?.title ?? member;
  return `${title}${/\b(by|per|in|for)\b.*/i.exec(question)?.[0] ? ` ${/\b(by|per|in|for)\b.*/i.exec(question)?.[0]}` : ''}`;
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    if (seen.has(key(i))) return false;
    seen.add(key(i));
    return true;
  });
}
