/**
 * Two figures asked in one question ("how many visits and what was their total charge", "total
 * charge and average charge by year", "number of visits as well as distinct members in 2023"):
 * the question is split on the conjunction between two figure phrases, each side read as its own
 * question with the period, conditions and breakdown said for both, and the two readings answered
 * as one query with several measures — or, when they cannot be one query, asked back naming both.
 * "And" that joins values ("members with asthma and diabetes", "men and women") splits nothing:
 * both sides must name a figure.
 */
import type { FlatCubeQuery } from '../../semantic/index.ts';
import { type Lexicon, matchMembers } from './lexicon.ts';
import { isContent, tokenize } from './text.ts';

/** One question asking two figures, read apart. */
export interface FigureSides {
  /** Each figure as the question said it ("how many visits", "what was the summed charge"). */
  said: [string, string];
  /** Each figure's own question: its words with the period, conditions and breakdown said for both. */
  questions: [string, string];
}

/** Words that join two figures. */
const JOIN = /(?:,\s*)?\b(?:and\s+also|and|as\s+well\s+as|along\s+with|together\s+with|plus)\b/gi;
/** Words that relate the two sides as one figure ("ratio of … and …", "between … and …"). */
const ONE_FIGURE =
  /\b(?:between|ratio|differences?|divided|correlat\w*|minus|subtract\w*|both|either|neither)\b/i;
/** Words that relate what comes next to the left side only ("share of A and B"). */
const PART_OF = /\b(?:share|percent|percentage|pct|proportion|fraction|rate)\b/i;
/** Words that begin what is said about both figures: a period, a condition, a breakdown. */
const TRAIL =
  /\s(?:by|for|across|in(?!\s+total\b)|during|since|from|among|within|over|where|last|this|broken|grouped|split|each|every)\b/i;
/** A period, condition or breakdown said before both ("In 2023, …", "For urgent visits: …"). */
const LEAD = /^\s*((?:in|during|for|since|from|among|across|by|over|within)\b[^,:;]{1,60})[,:;]\s*/i;
/** Words that ask for a figure. */
const CUE =
  /\b(?:how\s+many|how\s+much|number|count|counts|total|totals|sum|summed|average|avg|mean|median|minimum|maximum|min|max|what\s+(?:was|is|were|are|did|does|do))\b/i;
/** Words that only ask (how, what, counting, a statistic's name): not what it is of. */
const ASKING =
  /\b(?:how\s+many|how\s+much|the|a|an|our|all|total|totals|number|of|count|counts|sum|summed|average|avg|mean|median|min|minimum|max|maximum|lowest|highest|what|was|is|were|are|did|does|do|in\s+total|overall|give|show|tell|list|find|me|us|i|we|please|can|could|you|want|need|know)\b/gi;
/** Words that begin a clause about the records counted. */
const RELATIVE = /\b(?:who|whose|that|which|where|with|without|having)\b/i;
/** A verb that goes on saying what the records did ("… and had an inpatient visit"). */
const PREDICATE =
  /^\s*(?:had|has|have|got|gets|get|were|was|is|are|did|do|does|received|receive|receives|went|saw|visited|took|never|also)\b/i;
const PRONOUN = /\b(?:they|them|those|these)\b/i;
const POSSESSIVE = /\b(?:their|its)\b/i;

/**
 * The two figures a question asks for, each as its own question, or undefined when it asks for one
 * (no conjunction between two figure phrases).
 *
 * @example figureSides('number of visits and total charge in 2023', lexicon)
 * // { said: ['number of visits', 'total charge'], questions: ['number of visits in 2023', 'total charge in 2023'] }
 */
export function figureSides(question: string, lexicon: Lexicon): FigureSides | undefined {
  const asked = question.replace(/[?.!\s]+$/, '');
  if (ONE_FIGURE.test(asked)) return undefined;
  const lead = LEAD.exec(asked);
  const body = lead ? asked.slice(lead[0].length) : asked;
  for (const m of body.matchAll(JOIN)) {
    const left = body.slice(0, m.index).trim();
    const right = body
      .slice((m.index ?? 0) + m[0].length)
      .replace(/^[\s,:;]+/, '')
      .trim();
    if (!left || !right || PART_OF.test(left)) continue;
    const [figL, trailL] = cut(left);
    let [figR, trailR] = cut(right);
    // After a breakdown or condition ("by setting and site"), a bare name continues it: only a
    // word asking for a figure starts a second one there.
    // So does a clause about the records ("patients who got a flu vaccine and had an inpatient
    // visit"): its "and" joins what they did, not a second figure.
    const clause = RELATIVE.test(figL) || PREDICATE.test(figR);
    if (!figure(figL, lexicon, true) || !figure(figR, lexicon, !trailL && !clause)) continue;
    // "how many refills and what did they cost": the pronoun stands for what the left side counts.
    if (PRONOUN.test(figR) || POSSESSIVE.test(figR)) {
      const subject = figL
        .replace(ASKING, ' ')
        .replace(/[^a-z0-9-]+/gi, ' ')
        .trim();
      if (!subject) continue;
      figR = POSSESSIVE.test(figR)
        ? `${figR.replace(POSSESSIVE, 'the')} of ${subject}`
        : figR.replace(PRONOUN, subject);
    }
    trailR = trailR === trailL ? '' : trailR;
    const shared = [trailL, trailR].filter(Boolean).join(' ');
    const ask = (fig: string) => [lead?.[0].trim(), fig, shared].filter(Boolean).join(' ');
    return { said: [figL, figR], questions: [ask(figL), ask(figR)] };
  }
  return undefined;
}

/** A side's figure words and what follows them (a period, a condition, a breakdown). */
function cut(side: string): [string, string] {
  const at = TRAIL.exec(side)?.index;
  if (at === undefined || at === 0) return [side, ''];
  return [side.slice(0, at).trim(), side.slice(at).trim()];
}

/**
 * A side names a figure: a word asking for one and something it is of ("how many visits", "the
 * summed charge"), or a measure of the model named in full ("total charge").
 */
function figure(side: string, lexicon: Lexicon, bare: boolean): boolean {
  const rest = side
    .replace(ASKING, ' ')
    .replace(POSSESSIVE, ' ')
    .replace(/[^a-z0-9]+/gi, ' ')
    .trim();
  if (!rest) return false;
  if (CUE.test(side)) return true;
  if (!bare) return false;
  const tokens = tokenize(side);
  const content = tokens.filter(isContent).map((t) => t.index);
  return matchMembers(tokens, new Set(content), lexicon, (m) => m.kind === 'measure').some(
    (m) => m.completeness === 1 && content.every((i) => m.covered.includes(i)),
  );
}

/**
 * Two semantic queries as one with both measures, or why they cannot be: they must keep the same
 * breakdown, conditions and period on the same date, and measure the same records or records one
 * reaches from the other.
 *
 * @example mergeFigures({ measures: ['visits.count'] }, { measures: ['visits.avg_charge'] }, lexicon)
 * // { measures: ['visits.count', 'visits.avg_charge'] }
 */
export function mergeFigures(a: FlatCubeQuery, b: FlatCubeQuery, lexicon: Lexicon): FlatCubeQuery | string {
  const cubeOf = (q: FlatCubeQuery) => (q.measures?.[0] ?? '').split('.')[0] as string;
  const [ca, cb] = [cubeOf(a), cubeOf(b)];
  const reach = (x: string, y: string) => x === y || lexicon.cubes.get(x)?.reach.has(y) === true;
  if (!reach(ca, cb) && !reach(cb, ca)) return 'are kept on records that do not point at each other';
  if (a.limit || b.limit) return 'rank records, and a ranking orders by one figure';
  const same = (x: unknown, y: unknown) => canonical(x) === canonical(y);
  if (!same(a.timeDimensions ?? [], b.timeDimensions ?? []))
    return 'are dated by different dates, so one period or grain cannot be said of both';
  if (!same(a.dimensions ?? [], b.dimensions ?? [])) return 'are broken down differently';
  if (!same(a.filters ?? [], b.filters ?? []) || !same(a.segments ?? [], b.segments ?? []))
    return 'are narrowed by different conditions';
  const measures = [...new Set([...(a.measures ?? []), ...(b.measures ?? [])])];
  return { ...a, measures };
}

/** A value as text with its arrays and keys in a fixed order, to compare two queries' parts. */
function canonical(x: unknown): string {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm).sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q)))
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .sort(([p], [q]) => p.localeCompare(q))
              .map(([k, y]) => [k, norm(y)]),
          )
        : v;
  return JSON.stringify(norm(x));
}
