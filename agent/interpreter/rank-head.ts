/**
 * What a ranking ranks: the records its head noun names ("which patient had the most encounters",
 * "the 3 providers with the highest claim cost", "top 5 patients by number of visits"), never
 * another entity or kind that happens to score higher. Language mechanics only: which cube the
 * noun names comes from the model.
 */
import { type CubeEntry, type Lexicon, type MemberEntry, matchCubes, matchMembers } from './lexicon.ts';
import type { Token } from './text.ts';

/** The records a ranking is of, and the words that name them. */
export interface RankHead {
  cube: CubeEntry;
  covered: number[];
}

/**
 * The first cube the question names that is not what it ranks by: before the ranking word ("which
 * patient had the most …", "patients with the most …") or after "top N" when the figure follows
 * "by" ("top 5 patients by number of encounters"). Undefined when the first cube named is the
 * subject of "most" ("the most encounters").
 *
 * @example rankHead(tokenize('which patient had the most visits'), free, lexicon, { at: [3], subject: 4 }, [])
 * // { cube: <patients>, covered: [1] }
 */
export function rankHead(
  tokens: readonly Token[],
  free: Set<number>,
  lexicon: Lexicon,
  top: { at: number[]; subject?: number | undefined },
  rankRuns: readonly number[],
): RankHead | undefined {
  const first = matchCubes(tokens as Token[], free, lexicon)
    .filter((c) => !c.covered.some((i) => rankRuns.includes(i) || i === top.subject))
    .sort((a, b) => Math.min(...a.covered) - Math.min(...b.covered))[0];
  if (!first) return undefined;
  const start = Math.min(...first.covered);
  // Named before the ranking word, or after it only when what it ranks by follows "by".
  const rankWord = Math.max(...top.at);
  if (start > rankWord && !rankRuns.some((i) => i > start)) return undefined;
  return { cube: first.target, covered: first.covered };
}

/**
 * The dimension a ranked record is told by: its name when the caller sees it, else its key (a
 * record with no name of its own, such as a patient) — as the measured rows hold it
 * (`measured`'s key to it) when they point at it directly, so no join is needed.
 */
export function identityOf(lexicon: Lexicon, cube: CubeEntry, measured?: string): string | undefined {
  const label = cube.label ? lexicon.members.get(cube.label) : undefined;
  if (label && !label.masked && !cube.label?.endsWith('.description')) return label.member;
  const key = measured === undefined ? undefined : lexicon.cubes.get(measured)?.keys.get(cube.name);
  return key ?? cube.primaryKey ?? (label && !label.masked ? label.member : undefined);
}

/**
 * "which provider saw the most patients": a count of one cube's records ranked by another they do
 * not point at is the distinct count of them kept in rows that point at both (the model's own
 * measure, named by the counted cube's words).
 */
export function distinctThrough(
  lexicon: Lexicon,
  counted: CubeEntry,
  head: CubeEntry,
): MemberEntry | undefined {
  const fits = [...lexicon.members.values()].filter((m) => {
    const via = lexicon.cubes.get(m.cube);
    return (
      m.kind === 'measure' &&
      m.aggType === 'countDistinct' &&
      via?.keys.has(counted.name) &&
      via.reach.has(head.name) &&
      m.phrases.some((p) => counted.phrases.some((c) => c.stems.every((s) => p.stems.includes(s))))
    );
  });
  // Rows that point at the head directly, the activity the model names for either first.
  const rank = (m: MemberEntry) =>
    (m.cube === head.name ? 4 : 0) +
    (lexicon.cubes.get(m.cube)?.keys.has(head.name) ? 2 : 0) +
    (m.cube === head.activity || m.cube === counted.activity ? 1 : 0);
  return fits.sort((a, b) => rank(b) - rank(a))[0];
}

/**
 * The parts of a record's name shown without being asked for: all of them when the caller sees
 * them and none is a direct identifier (a person's name is shown only when asked for: minimum
 * necessary).
 */
export function visibleNames(lexicon: Lexicon, cube: CubeEntry): string[] {
  const names = cube.names ?? [];
  const shown = names.every((n) => {
    const m = lexicon.members.get(n);
    return m?.masked === false && m.phi !== 'direct';
  });
  return names.length && shown ? [...names] : [];
}

const PERIOD_HEAD =
  /\b(?:(?:which|what)\s+|(?<!\b(?:in|during|over|for|per|each|by|of|within|throughout|to|from|since|until)\s)the\s+(?:single\s+)?|(?:top|bottom)\s+(?:(\d+)\s+)?|(?:busiest|quietest|slowest|peak|(?:least|less|most)\s+busy)\s+)(year|month|quarter|week|day)(s?)\b(?!\s+(?:of|to|over|on)\b)(?!\s*['\d])/;
/** Activity said as a quality of a period, lowest first: "quietest", "slowest", "least busy". */
const QUIET = /\b(?:quietest|slowest|(?:least|less)\s+busy)\b/i;
const RANKING =
  /\b(?:most|fewest|least|highest|lowest|top|bottom|busiest|quietest|slowest|peak|max(?:imum)?|min(?:imum)?|largest|smallest|greatest)\b/;

/**
 * A ranking of periods: "which year had the most encounters", "the month with the fewest
 * visits", "top 3 quarters by claim cost" rank the buckets of a time grain, not records. The grain
 * and whether one is asked for ("which year": the first; "top 3 months": three), with the words
 * that said it blanked out of the question.
 *
 * @example periodRanked('which year had the most visits') // { unit: 'year', one: true, rest: 'which      had the most visits' }
 */
export function periodRanked(
  question: string,
): { unit: 'year' | 'month' | 'quarter' | 'week' | 'day'; one: boolean; rest: string } | undefined {
  if (!RANKING.test(question)) return undefined;
  const m = PERIOD_HEAD.exec(question);
  if (!m) return undefined;
  const unit = m[2] as 'year' | 'month' | 'quarter' | 'week' | 'day';
  const at = m.index + m[0].length - unit.length - (m[3] ?? '').length;
  const rest =
    question.slice(0, at) + ' '.repeat(m[0].length - (at - m.index)) + question.slice(m.index + m[0].length);
  return {
    unit,
    one: !m[3] && !m[1],
    // "the quietest month", "the least busy year": the period with the fewest, said as a ranking.
    rest: rest.replace(QUIET, 'fewest').replace(/\bmost\s+busy\b/i, 'most'),
  };
}

const KIND_WORD = /^(?:kinds?|types?|sorts?)$/;

/**
 * "which device types …", "top 3 kinds of allergies": the kinds of a cube's own records, said by a
 * kind word right after the cube's name (or "kinds of" before it) — told apart by the dimension the
 * cube's words and the kind word name together ("encounter type"), else by the cube's own label; never
 * by another cube's dimension that the kind word alone names. The words, and the member.
 *
 * @example recordKinds(tokenize('which device types were given to the most patients'), lexicon)
 * // { run: [1, 2], member: 'devices.description' }
 */
export function recordKinds(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  lexicon: Lexicon,
): { run: number[]; member: string } | undefined {
  for (const t of tokens) {
    if (!KIND_WORD.test(t.word)) continue;
    const of = tokens[t.index + 1]?.word === 'of';
    const start = t.index + (of ? 2 : 0) + (of && tokens[t.index + 2]?.word === 'the' ? 1 : 0);
    const near = new Set(
      (of ? [start, start + 1, start + 2] : [t.index - 2, t.index - 1]).filter((i) => free.has(i)),
    );
    const cube = matchCubes(tokens as Token[], near, lexicon).find((c) =>
      of ? Math.min(...c.covered) === start : Math.max(...c.covered) === t.index - 1,
    );
    if (!cube) continue;
    const words = new Set([...cube.covered, t.index]);
    const own = matchMembers(
      tokens as Token[],
      words,
      lexicon,
      (m) => m.kind === 'dimension' && m.cube === cube.target.name && m.type === 'string' && !m.primaryKey,
    ).find((m) => m.completeness === 1 && m.covered.includes(t.index));
    const label = cube.target.label ? lexicon.members.get(cube.target.label) : undefined;
    const member =
      own && !own.target.masked ? own.target.member : label && !label.masked ? label.member : undefined;
    if (!member) continue;
    const run = [...cube.covered, t.index, ...(of ? [t.index + 1] : [])];
    return { run: run.sort((a, b) => a - b), member };
  }
  return undefined;
}
