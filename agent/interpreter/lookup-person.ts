import type { Interpretation, Reading } from './interpret.ts';
import { type Lexicon, type MemberEntry, matchMembers, matchValues } from './lexicon.ts';
import type { Condition, LogicalForm } from './logical-form.ts';
import { sharedLabelChoices, sharedLabelIn, sharedLabelNote } from './shared-label.ts';
import { isContent, tokenize } from './text.ts';

/** A record named by the parts of its name the model tags (a person's first and last name, a full name). */
export interface NamedRecord {
  cube: string;
  /** Each name part said, with the stored values it may be (several when spelled without digits). */
  parts: Array<{ member: string; values: string[]; covered: number[] }>;
  /** A single part said alone whose stored values more than one record holds, or several values fit. */
  ambiguous: boolean;
}

/** Words said before a person's name that are no part of it ("Dr. Weber", "Mrs Kunze"). */
const TITLES = new Set(['dr', 'doctor', 'mr', 'mrs', 'ms', 'miss', 'prof', 'professor']);

/** A name as people type it: lower case, without the digits generated names carry ("Jose871"). */
function nameKey(text: string): string {
  return tokenize(text)
    .map((t) => t.word.replace(/\d+/g, ''))
    .filter(Boolean)
    .join(' ');
}

interface NameIndex {
  cube: string;
  members: string[];
  /** Per name member: key (digits dropped) → stored values; and the values several rows hold. */
  byKey: Map<string, Map<string, string[]>>;
  shared: Set<string>;
}

const indexCache = new WeakMap<Lexicon, NameIndex[]>();

/** Per cube with name parts the caller sees unmasked: their stored values by name key. */
function nameIndexes(lexicon: Lexicon): NameIndex[] {
  const hit = indexCache.get(lexicon);
  if (hit) return hit;
  const out: NameIndex[] = [];
  for (const cube of lexicon.cubes.values()) {
    const members = (cube.names ?? []).filter((n) => {
      const m = lexicon.members.get(n);
      return m && !m.masked && m.type === 'string';
    });
    if (!members.length || members.length !== (cube.names ?? []).length) continue;
    // A full name in one column names a record only when it is a name, not a description.
    if (members.length === 1 && members[0] === `${cube.name}.description`) continue;
    const byKey = new Map<string, Map<string, string[]>>();
    const shared = new Set<string>();
    for (const member of members) {
      const keys = new Map<string, string[]>();
      for (const v of lexicon.values) {
        if (v.member !== member || v.synonym || v.plain) continue;
        const key = nameKey(v.value);
        if (!key) continue;
        const list = keys.get(key) ?? [];
        if (!list.includes(v.value)) list.push(v.value);
        keys.set(key, list);
        if (v.shared) shared.add(`${member}\u0000${v.value}`);
      }
      byKey.set(member, keys);
    }
    out.push({ cube: cube.name, members, byKey, shared });
  }
  indexCache.set(lexicon, out);
  return out;
}

/**
 * The stored values a run of tokens may name in one name member: typed with its digits, that value
 * (case aside); typed without, every value whose name key it is.
 */
function valuesFor(index: NameIndex, member: string, words: string[]): string[] {
  const key = words.map((w) => w.replace(/\d+/g, '')).join(' ');
  const list = index.byKey.get(member)?.get(key) ?? [];
  if (!words.some((w) => /\d/.test(w))) return list;
  const typed = words.join(' ');
  return list.filter(
    (v) =>
      tokenize(v)
        .map((t) => t.word)
        .join(' ') === typed,
  );
}

/**
 * A record named in the question by its name: a person's first and last name side by side (in
 * either order), a full name kept in one column, or a surname alone when it is typed as a name
 * (with its digits, or capitalised mid-sentence). Words the model itself uses are never a name.
 */
export function findNamedRecord(r: Reading, lexicon: Lexicon, question: string): NamedRecord | undefined {
  const free = r.free();
  const open = r.tokens.filter((t) => free.has(t.index) && isContent(t) && !lexicon.idf.has(t.stem));
  if (!open.length) return undefined;
  const capitalised = new Set(
    [...question.matchAll(/(?<=\S\s+)([A-Z][A-Za-z'-]*\d*)/g)].map((m) => (m[1] as string).toLowerCase()),
  );
  let best: NamedRecord | undefined;
  const consider = (c: NamedRecord) => {
    const n = c.parts.reduce((s, p) => s + p.covered.length, 0);
    const m = best ? best.parts.reduce((s, p) => s + p.covered.length, 0) : 0;
    if (n > m) best = c;
  };
  for (const index of nameIndexes(lexicon)) {
    for (const t of open) {
      const next = r.tokens[t.index + 1];
      if (index.members.length === 2) {
        const [firstM, lastM] = index.members as [string, string];
        // First and last name side by side ("Marian Erdman", or "Erdman, Marian" said last first).
        if (next && free.has(next.index)) {
          for (const [a, b] of [
            [firstM, lastM],
            [lastM, firstM],
          ] as const) {
            const va = valuesFor(index, a, [t.word]);
            const vb = valuesFor(index, b, [next.word]);
            if (va.length && vb.length)
              consider({
                cube: index.cube,
                parts: [
                  { member: a, values: va, covered: [t.index] },
                  { member: b, values: vb, covered: [next.index] },
                ],
                // Said without digits, a name several stored names share: which one is not guessed.
                ambiguous: va.length > 1 || vb.length > 1,
              });
          }
        }
        // A surname alone, typed as a name.
        const typedAsName = /\d/.test(t.word) || capitalised.has(t.word);
        const vl = typedAsName ? valuesFor(index, lastM, [t.word]) : [];
        if (vl.length)
          consider({
            cube: index.cube,
            parts: [{ member: lastM, values: vl, covered: [t.index] }],
            ambiguous: vl.length > 1 || vl.some((v) => index.shared.has(`${lastM}\u0000${v}`)),
          });
      } else {
        const member = index.members[0] as string;
        // Names of organizations run long, with grammar inside ("LIFE CARE CENTER OF PLYMOUTH").
        for (let n = 8; n >= 2; n--) {
          const run = r.tokens.slice(t.index, t.index + n);
          if (run.length !== n || !run.every((x) => free.has(x.index))) continue;
          const values = valuesFor(
            index,
            member,
            run.map((x) => x.word),
          );
          if (values.length) {
            consider({
              cube: index.cube,
              parts: [{ member, values, covered: run.map((x) => x.index) }],
              ambiguous: values.length > 1 || values.some((v) => index.shared.has(`${member}\u0000${v}`)),
            });
            break;
          }
        }
      }
    }
  }
  if (!best) return undefined;
  // A title said right before the name is placed with it.
  const start = Math.min(...(best as NamedRecord).parts.flatMap((p) => p.covered));
  const before = r.tokens[start - 1];
  if (before && TITLES.has(before.word)) (best as NamedRecord).parts[0]?.covered.push(before.index);
  return best;
}

/** Words that ask for a figure or for many records: not one record's attribute. */
const NOT_LOOKUP =
  /\b(how many|number of|count|total|sum|average|mean|median|top|most|least|list|all|each|every|per|by)\b/i;

/**
 * Whether the words outside a record's name and the attributes asked of it ask for a figure or
 * for many records ("how many", "by"): a name's own words ("ACTIVATED BY WELLNESS") and an
 * attribute's ("phone number of …") do not.
 */
export function asksFigure(r: Reading, placed: readonly number[]): boolean {
  const at = new Set(placed);
  return NOT_LOOKUP.test(
    r.tokens
      .filter((t) => !at.has(t.index))
      .map((t) => t.word)
      .join(' '),
  );
}

/** A yes/no question, or one that offers a choice ("is … a government or private payer"). */
export const CHOICE = /^\s*(?:is|are|was|were|does|do|did|has|have)\b|\bor\b/i;

/**
 * "is <name> married", "is <payer> a government or private payer": the record's attribute whose
 * stored values (or the model's words for them) the free words name — one attribute, every value
 * said of it — with the words of the choice ("either", "or"). Undefined when the values said
 * belong to more than one attribute.
 */
export function valueAsAttribute(
  r: Reading,
  free: ReadonlySet<number>,
  lexicon: Lexicon,
  cube: string,
  allow: (member: string) => boolean,
): { member: string; used: number[] } | undefined {
  const hits = matchValues(r.tokens, free, lexicon, (v) => {
    const m = lexicon.members.get(v.member);
    return v.cube === cube && !v.local && m !== undefined && !m.masked && !m.primaryKey && allow(v.member);
  });
  const members = new Set(hits.map((h) => h.target.member));
  const member = [...members][0];
  if (!member || members.size !== 1) return undefined;
  const used = hits.flatMap((h) => h.covered);
  for (const t of r.tokens)
    if (free.has(t.index) && (t.word === 'either' || t.word === 'or') && !used.includes(t.index))
      used.push(t.index);
  return { member, used };
}

const WHEN = new Set(['when', 'date', 'day', 'year']);

/** Verbs that say how a record holds its attribute ("where does … live", "affiliated with"). */
const HOLDS = new Set(
  `live lives lived living reside resides resided residing affiliated associated registered located
  belong belongs belonged attached employed use uses using currently current`.split(/\s+/),
);

/**
 * "when did <first> <last> die", "what county does <first> <last> live in", "income of patient
 * <full name>", "which organization is provider <full name> affiliated with": attributes of the one
 * record a name names — its first and last name found across two columns, matched without the
 * digits generated names carry, never guessed between two records (asked instead). Found records
 * answer with the name first, then the attributes asked for.
 */
export function lookupByRecordName(
  r: Reading,
  lexicon: Lexicon,
  question: string,
  named: NamedRecord,
): LogicalForm | Interpretation | undefined {
  const cube = named.cube;
  const taken = new Set(named.parts.flatMap((p) => p.covered));
  const free = new Set([...r.free()].filter((i) => !taken.has(i)));
  const { attrs, used } = askedAttributes(
    r,
    free,
    lexicon,
    cube,
    (m) => !named.parts.some((p) => p.member === m.member),
  );
  // "when did … die": the date whose being recorded the words say ("died" = a date of death).
  const whenAt = r.tokens.filter((t) => free.has(t.index) && WHEN.has(t.word)).map((t) => t.index);
  const dated = attrs.some((a) => lexicon.members.get(a)?.kind === 'time');
  if (!dated && whenAt.length) {
    const stems = new Set(r.tokens.filter((t) => free.has(t.index)).map((t) => t.stem));
    const said = lexicon.nulls.find(
      (n) =>
        n.cube === cube &&
        !n.isNull &&
        lexicon.members.get(n.member)?.kind === 'time' &&
        !lexicon.members.get(n.member)?.masked &&
        n.stems.every((s) => stems.has(s)),
    );
    if (said) {
      // "when did … pass away": the date, not the flag the same words may name.
      attrs.length = 0;
      used.length = 0;
      attrs.push(said.member);
      used.push(
        ...whenAt,
        ...r.tokens.filter((t) => free.has(t.index) && said.stems.includes(t.stem)).map((t) => t.index),
      );
    }
  }
  // "is <name> married": an attribute asked by one of its values, or as a choice of them.
  if (!attrs.length && CHOICE.test(question)) {
    const asked = valueAsAttribute(r, free, lexicon, cube, (m) => !named.parts.some((p) => p.member === m));
    if (asked) {
      attrs.push(asked.member);
      used.push(...asked.used);
    }
  }
  if (!attrs.length) return undefined;
  // Words of a figure or of many records outside the name and what is asked ("by" in a name is
  // the name's own).
  if (asksFigure(r, [...taken, ...used])) return undefined;
  if (named.ambiguous) return whichRecord(lexicon, named, question, r);
  // A date asked for with "when" or "what date": those words are placed by it.
  if (attrs.some((a) => lexicon.members.get(a)?.kind === 'time')) used.push(...whenAt);
  r.use([...taken, ...used]);
  r.use(r.tokens.filter((t) => r.free().has(t.index) && HOLDS.has(t.word)).map((t) => t.index));
  // The record is found by its last part said (the surname), the other parts filter it: the
  // answer shows them all first (compileSql), then the attributes.
  const ordered = [...named.parts].sort(
    (a, b) =>
      (lexicon.cubes.get(cube)?.names ?? []).indexOf(a.member) -
      (lexicon.cubes.get(cube)?.names ?? []).indexOf(b.member),
  );
  const key = ordered.at(-1);
  if (!key) return undefined;
  const filters: Condition[] = ordered
    .slice(0, -1)
    .map((p) => ({ member: p.member, op: 'in', values: p.values }));
  return { kind: 'lookup', cube, attributes: attrs, key: key.member, id: key.values[0] as string, filters };
}

/** Several records answer to the name: asked which, never chosen between. */
export function whichRecord(
  lexicon: Lexicon,
  named: NamedRecord,
  question: string,
  r: Reading,
): Interpretation {
  const said = named.parts
    .flatMap((p) => p.covered)
    .sort((a, b) => a - b)
    .map((i) => r.tokens[i]?.word)
    .join(' ');
  const title = lexicon.cubes.get(named.cube)?.title.toLowerCase() ?? named.cube;
  const one = named.parts.length === 1 ? named.parts[0] : undefined;
  // A label the model says several records share (two sites of one name): each of them, told
  // apart by its other fields, to be asked again by its id.
  const shared =
    one?.values.length === 1
      ? sharedLabelIn(lexicon, [{ member: one.member, values: one.values }])
      : undefined;
  if (shared) {
    const spoken = new RegExp(
      [...(one?.covered ?? [])]
        .sort((a, b) => a - b)
        .map((i) => (r.tokens[i]?.word ?? '').replace(/[^\w]/g, ''))
        .join('\\W+'),
      'i',
    );
    return {
      kind: 'clarify',
      message: `${sharedLabelNote(lexicon, shared).replace(/: one row each$/, '')}: ${sharedLabelChoices(shared).join('; ')}. Which one do you mean?`,
      unplaced: [],
      options: shared.holders.map((h) => ({
        label: h.detail ? `${shared.value}, ${h.detail}` : `${shared.value} (id ${h.key})`,
        question: question.replace(spoken, `${shared.value} ${h.key}`),
      })),
    };
  }
  const options =
    one && one.values.length > 1
      ? one.values.slice(0, 8).map((v) => ({
          label: v,
          question: question.replace(new RegExp(`\\b${said.replace(/[^\w ]/g, '')}\\b`, 'i'), v),
        }))
      : [];
  return {
    kind: 'clarify',
    message: `Several records of ${title} answer to "${said}": which one do you mean? Give the full name or the id.`,
    unplaced: [],
    options,
  };
}

/**
 * The attributes of one record a question asks for: each of the cube's visible, non-key dimensions
 * (or dates) whose whole name the free words spell, in turn, with the words each took.
 */
export function askedAttributes(
  r: Reading,
  free: ReadonlySet<number>,
  lexicon: Lexicon,
  cube: string,
  allow: (m: MemberEntry) => boolean,
): { attrs: string[]; used: number[] } {
  const attrs: string[] = [];
  const used: number[] = [];
  for (;;) {
    const hit = matchMembers(
      r.tokens,
      new Set([...free].filter((i) => !used.includes(i))),
      lexicon,
      (m) =>
        m.cube === cube &&
        (m.kind === 'dimension' || m.kind === 'time') &&
        !m.primaryKey &&
        !m.masked &&
        !attrs.includes(m.member) &&
        allow(m),
    ).find((m) => m.completeness === 1);
    if (!hit) break;
    attrs.push(hit.target.member);
    used.push(...hit.covered);
  }
  return { attrs, used };
}
