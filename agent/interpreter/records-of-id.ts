import { type Lexicon, matchCubes, matchMembers } from './lexicon.ts';
import { tokenize, UUID } from './text.ts';

/** Records of one kind that point at the one record an id names, and the question without it. */
export interface RecordsOfId {
  /** The question with the record's noun and id taken out ("what conditions does have"). */
  rest: string;
  /** The key of the records asked about that points at the record ("conditions.patient"). */
  key: string;
  id: string;
  /** The cube of the record the id names ("patients"). */
  owner: string;
}

/**
 * "what conditions does patient <id> have", "how many encounters did patient <id> have in 2022",
 * "medications of patient <id>": the id names one record (its kind said right before it), and the
 * question asks about records of another kind that point at it through a key, not an attribute of
 * the record itself ("the city of patient <id>" is a lookup). The question is read without the
 * record's noun and id, then kept to the rows whose key is that id.
 *
 * @example recordsOfId('what conditions does patient 0f78…8255570 have', lexicon)
 * // { rest: 'what conditions does have', key: 'conditions.patient', id: '0f78…8255570', owner: 'patients' }
 */
export function recordsOfId(question: string, lexicon: Lexicon): RecordsOfId | undefined {
  const ids = question.match(UUID) ?? [];
  if (ids.length !== 1) return undefined;
  const id = ids[0] as string;
  const at = question.indexOf(id);
  const before = tokenize(question.slice(0, at));
  const tokens = tokenize(question.replace(UUID, ' '));
  const all = new Set(tokens.map((t) => t.index));
  const cubes = matchCubes(tokens, all, lexicon);
  // The kind of record is named right before its id ("patient <id>", "encounter <id>").
  const last = before.length - 1;
  const owner = cubes.find((c) => c.covered.includes(last) && c.target.primaryKey);
  if (!owner) return undefined;
  const rest = new Set([...all].filter((i) => !owner.covered.includes(i)));
  // An attribute of the record itself named in full is a lookup of it.
  const attribute = matchMembers(
    tokens,
    rest,
    lexicon,
    (m) => m.cube === owner.target.name && (m.kind === 'dimension' || m.kind === 'time') && !m.primaryKey,
  ).some((m) => m.completeness === 1);
  if (attribute) return undefined;
  const points = (cube: string) =>
    cube !== owner.target.name && lexicon.cubes.get(cube)?.keys.has(owner.target.name) === true;
  // The records named ("conditions"), else those of a figure named in full ("total claim cost").
  const records =
    matchCubes(tokens, rest, lexicon).find((c) => points(c.target.name))?.target.name ??
    matchMembers(tokens, rest, lexicon, (m) => m.kind === 'measure' && points(m.cube)).find(
      (m) => m.completeness === 1,
    )?.target.cube;
  if (!records) return undefined;
  const key = lexicon.cubes.get(records)?.keys.get(owner.target.name) as string;
  const start = question.slice(0, at).length;
  // Take out the noun said right before the id, and the id.
  const nounAt = before.slice(Math.min(...owner.covered)).map((t) => t.word);
  const head = question.slice(0, start);
  const cut = head.toLowerCase().lastIndexOf(nounAt[0] ?? '');
  const text = `${cut >= 0 ? head.slice(0, cut) : head} ${question.slice(start + id.length)}`
    .replace(/\s+/g, ' ')
    .trim();
  return { rest: text, key, id, owner: owner.target.name };
}
