/**
 * Records of one person named in the question by their full name ("which medications is Kermit56
 * Rutherford999 on", "what care plans has Gordon Schmitt had"): the question read without the
 * name, kept to the rows of that person — filtered by the parts of the name the caller sees
 * unmasked, matched against the value index built under the caller's row policy, so a name the
 * caller cannot see is never matched. A name several people answer to is asked about (which
 * record), never chosen between nor added up.
 */
import type { FlatCubeQuery } from '../../semantic/index.ts';
import { reading } from './interpret.ts';
import type { Lexicon } from './lexicon.ts';
import { findNamedRecord, whichRecord } from './lookup-person.ts';
import type { QueryReading } from './query-form.ts';

type Filter = NonNullable<FlatCubeQuery['filters']>[number];

/**
 * The question read by `read` with the person it names taken out and kept as filters on their name
 * parts; undefined when it names no one by first and last name, or the reading does not reach the
 * person's records.
 *
 * @example personRecords('care plans of Gordon377 Schmitt836', lexicon, (q) => interpretQuery(q, lexicon, now))
 */
export function personRecords(
  question: string,
  lexicon: Lexicon,
  read: (question: string) => QueryReading,
): QueryReading | undefined {
  const r = reading(question);
  const named = findNamedRecord(r, lexicon, question);
  const cube = named ? lexicon.cubes.get(named.cube) : undefined;
  if (!named || !cube) return undefined;
  // Several records answer to the name (a surname two people share): which one is asked.
  if (named.ambiguous) return clarifyOf(whichRecord(lexicon, named, question, r));
  // A person is named by both parts of their name.
  if (named.parts.length < 2) return undefined;
  const covered = new Set(named.parts.flatMap((p) => p.covered));
  // The question without the name (and a possessive "'s" or a title before it), read as usual.
  const rest = r.tokens
    .filter((t) => !covered.has(t.index))
    .map((t) => t.word)
    .join(' ');
  const inner = read(rest);
  if (inner.kind !== 'query') return undefined;
  const q = inner.query;
  const members = [
    ...(q.measures ?? []),
    ...(q.dimensions ?? []),
    ...(q.timeDimensions ?? []).map((t) => t.dimension),
  ];
  const cubes = new Set(members.map((m) => lexicon.members.get(m)?.cube).filter((c) => c !== undefined));
  // The person's rows: the cube read must reach the person's cube through its keys.
  if (![...cubes].every((c) => lexicon.cubes.get(c)?.reach.has(named.cube))) return undefined;
  const filters: Filter[] = named.parts.map((p) => ({
    member: p.member,
    operator: 'equals',
    values: p.values,
  }));
  const names = named.parts.map((p) => p.values[0]).join(' ');
  return {
    ...inner,
    query: { ...q, filters: [...(q.filters ?? []), ...filters] },
    interpretation: `${inner.interpretation}, for ${cube.title.replace(/s$/, '').toLowerCase()} ${names}`,
  };
}

function clarifyOf(i: ReturnType<typeof whichRecord>): QueryReading {
  return i.kind === 'clarify'
    ? { kind: 'clarify', message: i.message, unplaced: [], options: i.options }
    : { kind: 'clarify', message: 'Which one do you mean?', unplaced: [], options: [] };
}
