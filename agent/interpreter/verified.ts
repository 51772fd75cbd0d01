/**
 * Verified queries: a question a person answered and checked, kept as a file in the model folder
 * (`model/verified_queries/*.yaml`), with its semantic query or governed SQL, an author and a date.
 * A question that says the same thing (another wording, other stop words, a typo, a synonym the
 * model defines) reuses it before the interpreter runs; anything that could change the number — a
 * model word, a value, a number, a statistic, a grouping, a negation — must agree on both sides.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AnalystError } from '../../core/index.ts';
import type { FlatCubeQuery } from '../../semantic/index.ts';
import { SEMANTIC_FILTER_OPERATORS, TIME_GRANULARITIES } from '../query-args.ts';
import type { Lexicon } from './lexicon.ts';
import { isContent, stemMatches, tokenize } from './text.ts';

export type VerifiedQueryErrorCode = 'VERIFIED_QUERY_INVALID' | 'VERIFIED_QUERY_EXISTS';

/** A verified query file (or a request to write one) that does not hold. */
export class VerifiedQueryError extends AnalystError {
  declare readonly code: VerifiedQueryErrorCode;
  constructor(code: VerifiedQueryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, exitCode: 2 });
    this.name = 'VerifiedQueryError';
  }
}

const member = z.string().min(3).max(300);
const scalar = z.union([z.string().max(500), z.number(), z.boolean()]);

/** A semantic query as a verified file holds it: Cube's REST query in the flat form the agent runs. */
const verifiedSemanticQuery = z
  .object({
    measures: z.array(member).max(20).optional(),
    dimensions: z.array(member).max(20).optional(),
    timeDimensions: z
      .array(
        z
          .object({
            dimension: member,
            granularity: z.enum(TIME_GRANULARITIES).optional(),
            dateRange: z.union([z.string().min(1).max(100), z.tuple([z.string(), z.string()])]).optional(),
          })
          .strict(),
      )
      .max(5)
      .optional(),
    filters: z
      .array(
        z
          .object({
            member,
            operator: z.enum(SEMANTIC_FILTER_OPERATORS),
            values: z.array(scalar.transform(String)).max(100).optional(),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    segments: z.array(member).max(10).optional(),
    order: z
      .array(z.tuple([member, z.enum(['asc', 'desc'])]))
      .max(10)
      .optional(),
    limit: z.number().int().min(1).max(50_000).optional(),
    ungrouped: z.boolean().optional(),
  })
  .strict()
  .refine((q) => Boolean(q.measures?.length || q.dimensions?.length), {
    message: 'a semantic query names at least one measure or dimension',
  });

/** A date as YAML may give it: `2026-03-01` (parsed as a Date) or the same text. */
const day = z.preprocess(
  (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString().slice(0, 10) : v),
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD'),
);

/**
 * One verified query file: exactly one of `query` (a semantic query, preferred) or `sql` (one
 * governed SELECT over the caller's cubes), run under the caller's policies like any other.
 *
 * @example verifiedQuerySchema.parse({ question: 'How many encounters in 2021?', query: { measures: ['encounters.count'] }, author: 'alice', date: '2026-03-01' })
 */
export const verifiedQuerySchema = z
  .object({
    question: z.string().trim().min(3).max(1000),
    query: verifiedSemanticQuery.optional(),
    sql: z.string().trim().min(1).max(20_000).optional(),
    author: z.string().trim().min(1).max(200),
    date: day,
    description: z.string().max(2000).optional(),
  })
  .strict()
  .refine((v) => (v.query === undefined) !== (v.sql === undefined), {
    message: 'give exactly one of query (a semantic query) or sql',
    path: ['query'],
  });

export type VerifiedQueryInput = z.input<typeof verifiedQuerySchema>;

/** A verified query as read from its file. */
export interface VerifiedQuery {
  /** The file, relative to the model folder (`verified_queries/encounters-2021.yaml`). */
  file: string;
  question: string;
  query?: FlatCubeQuery | undefined;
  sql?: string | undefined;
  author: string;
  date: string;
  description?: string | undefined;
}

/** What is wrong, as a person fixes it: the field path and the problem. */
export function describeVerifiedIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(file)'}: ${i.message}`)
    .join('; ');
}

/**
 * Validate a verified query (a parsed body or YAML document); a clear error names the file and
 * every field that is wrong.
 *
 * @example toVerifiedQuery({ question: 'q?', sql: 'SELECT 1', author: 'a', date: '2026-01-01' }, 'verified_queries/q.yaml')
 */
export function toVerifiedQuery(value: unknown, file: string): VerifiedQuery {
  const parsed = verifiedQuerySchema.safeParse(value);
  if (!parsed.success)
    throw new VerifiedQueryError(
      'VERIFIED_QUERY_INVALID',
      `${file}: ${describeVerifiedIssues(parsed.error)}`,
    );
  const { query, ...rest } = parsed.data;
  return { file, ...rest, ...(query ? { query: query as FlatCubeQuery } : {}) };
}

/** Parse one verified query file's text. */
export function parseVerifiedQuery(file: string, text: string): VerifiedQuery {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (cause) {
    throw new VerifiedQueryError(
      'VERIFIED_QUERY_INVALID',
      `${file} is not valid YAML: ${(cause as Error).message.split('\n')[0]}`,
      { cause },
    );
  }
  return toVerifiedQuery(doc, file);
}

// ---------------------------------------------------------------------------------------------
// Matching. Language mechanics only; what the model's words mean comes from the caller's lexicon.

/**
 * Words that change what is computed without naming anything in the model. Two questions reuse
 * one answer only when they carry the same of these. Counting is the default ("how many",
 * "number of", "count of" and a bare "encounters in 2021" all count), so it is not listed.
 */
const OPERATORS: Record<string, string> = Object.fromEntries(
  Object.entries({
    sum: 'total sum',
    avg: 'average avg mean',
    median: 'median',
    percentile: 'percentile',
    max: 'max maximum highest largest biggest most top best',
    min: 'min minimum lowest smallest least fewest bottom worst',
    share: 'share percent percentage proportion fraction ratio rate',
    per: 'per',
    by: 'by each every breakdown broken split',
    cumulative: 'cumulative cumulatively running',
    more: 'more greater above exceeding exceed over',
    less: 'less fewer below under',
    not: 'not no without never excluding except but',
    both: 'both',
    distinct: 'distinct unique different',
    change: 'change changed growth grew increase decrease compare compared versus vs',
    last: 'last previous past prior',
    this: 'this current',
  }).flatMap(([op, ws]) => ws.split(' ').map((w) => [w, op])),
);

const GRAINS: Record<string, string> = {
  daily: 'day',
  weekly: 'week',
  monthly: 'month',
  quarterly: 'quarter',
  yearly: 'year',
  annual: 'year',
  annually: 'year',
};
const GRAIN_WORDS = new Set(['day', 'week', 'month', 'quarter', 'year']);
/** Count words: the default reading, so they need no counterpart. */
const COUNTING = new Set(['count', 'counts', 'number', 'numbers', 'tally', 'many', 'how']);

/** What a question says, for matching: its content stems and the operators it uses. */
export interface QuestionShape {
  terms: string[];
  ops: Set<string>;
}

/**
 * The shape of a question: content stems (numbers kept as written) and operator classes; a grain
 * adjective reads as "by <grain>" ("monthly" = "by month" = "per month" = "each month").
 */
export function questionShape(text: string): QuestionShape {
  const tokens = tokenize(text);
  const terms: string[] = [];
  const ops = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as (typeof tokens)[number];
    const next = tokens[i + 1];
    const grain = GRAINS[t.word];
    if (grain) {
      ops.add('by');
      terms.push(grain);
      continue;
    }
    if (COUNTING.has(t.word)) continue;
    const op = OPERATORS[t.word];
    if (op) {
      // "per month" and "each month" group by the month; "per patient" is a per-entity figure.
      ops.add(op === 'per' && next && GRAIN_WORDS.has(next.stem) ? 'by' : op);
      continue;
    }
    if (isContent(t)) terms.push(t.stem);
  }
  return { terms, ops };
}

/** Stems that name one thing alone in the caller's model (a cube, member or value, or its synonym). */
function singleWordNames(lexicon: Lexicon): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (stems: readonly string[], concept: string) => {
    if (stems.length !== 1) return;
    const s = stems[0] as string;
    const set = out.get(s) ?? new Set<string>();
    set.add(concept);
    out.set(s, set);
  };
  for (const c of lexicon.cubes.values()) for (const p of c.phrases) add(p.stems, `cube:${c.name}`);
  for (const m of lexicon.members.values()) for (const p of m.phrases) add(p.stems, `member:${m.member}`);
  for (const v of lexicon.values) add(v.stems, `value:${v.member}=${v.value}`);
  return out;
}

const names = new WeakMap<Lexicon, Map<string, Set<string>>>();
function namesOf(lexicon: Lexicon): Map<string, Set<string>> {
  let n = names.get(lexicon);
  if (!n) {
    n = singleWordNames(lexicon);
    names.set(lexicon, n);
  }
  return n;
}

/** Two stems say the same: equal, a small typo, or both alone name the same thing in the model. */
function same(a: string, b: string, lexicon: Lexicon | undefined): boolean {
  if (/\d/.test(a) || /\d/.test(b)) return a === b;
  if (stemMatches(a, b) || stemMatches(b, a)) return true;
  if (!lexicon) return false;
  const n = namesOf(lexicon);
  const x = n.get(a);
  const y = n.get(b);
  return Boolean(x && y && [...x].some((c) => y.has(c)));
}

function covers(from: readonly string[], to: readonly string[], lexicon: Lexicon | undefined): number {
  return from.filter((a) => to.some((b) => same(a, b, lexicon))).length;
}

/**
 * How alike two questions are, 0..1: the share of content words on both sides that the other side
 * has (stems, typos, the model's synonyms), and 0 unless their operators agree.
 */
export function questionSimilarity(a: string, b: string, lexicon?: Lexicon): number {
  const x = questionShape(a);
  const y = questionShape(b);
  if (x.ops.size !== y.ops.size || [...x.ops].some((o) => !y.ops.has(o))) return 0;
  const total = x.terms.length + y.terms.length;
  if (total === 0) return 0;
  return (covers(x.terms, y.terms, lexicon) + covers(y.terms, x.terms, lexicon)) / total;
}

/** A verified query a question reuses, and how alike the two questions are. */
export interface VerifiedMatch {
  verified: VerifiedQuery;
  similarity: number;
}

/**
 * The verified query a question reuses: one whose question says the same thing — every content
 * word on each side found on the other (as written, stemmed, with a small typo, or as a synonym
 * the model defines for the same cube, member or value) and the same operators (statistics,
 * grouping, negation, comparison). Undefined when none does: the interpreter answers instead.
 *
 * @example matchVerified('number of encounters in 2021', verified, lexicon)?.verified.file
 */
export function matchVerified(
  question: string,
  verified: readonly VerifiedQuery[],
  lexicon?: Lexicon,
): VerifiedMatch | undefined {
  let best: VerifiedMatch | undefined;
  for (const v of verified) {
    const similarity = questionSimilarity(question, v.question, lexicon);
    if (similarity === 1 && !best) best = { verified: v, similarity };
  }
  return best;
}

/**
 * The verified queries most like a question, best first, for a model endpoint's prompt: a softer
 * measure than reuse (operators must agree; words may differ), at most `k`.
 *
 * @example retrieveVerified('encounters by month in 2021', verified, lexicon, 3)
 */
export function retrieveVerified(
  question: string,
  verified: readonly VerifiedQuery[],
  lexicon?: Lexicon,
  k = 3,
): VerifiedMatch[] {
  return verified
    .map((v) => ({ verified: v, similarity: questionSimilarity(question, v.question, lexicon) }))
    .filter((m) => m.similarity >= 0.5)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
}

/** A file name for a question: its words, short, and a suffix when taken. */
export function verifiedFileName(question: string, taken: (name: string) => boolean): string {
  const base =
    tokenize(question)
      .filter(isContent)
      .map((t) => t.word)
      .slice(0, 8)
      .join('-')
      .slice(0, 60) || 'verified-query';
  for (let i = 1; ; i++) {
    const name = `${base}${i === 1 ? '' : `-${i}`}.yaml`;
    if (!taken(name)) return name;
  }
}
