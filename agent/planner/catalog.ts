import { contentStems, stem } from './text.ts';

/** A member as Cube's /meta describes it, with the fields the planner reads. */
export interface MetaMember {
  name: string;
  title?: string;
  shortTitle?: string;
  description?: string;
  type: string;
  aggType?: string;
  primaryKey?: boolean;
  meta?: {
    synonyms?: string[];
    /** Words people use for a dimension's values: `{ F: [female, women] }`. */
    value_synonyms?: Record<string, string[]>;
    phi?: string;
    [k: string]: unknown;
  };
}

/** Cube's /meta response, reduced to what the planner uses. */
export interface MetaCube {
  name: string;
  title?: string;
  type?: string;
  description?: string;
  measures: MetaMember[];
  dimensions: MetaMember[];
  segments?: MetaMember[];
  meta?: { synonyms?: string[]; [k: string]: unknown };
}

export type EntryKind = 'measure' | 'dimension' | 'time' | 'segment';

/** A phrase that names a member: its stems, and how much a match counts. */
export interface LexiconEntry {
  member: string;
  cube: string;
  kind: EntryKind;
  type: string;
  aggType?: string | undefined;
  phrase: string[];
  /** Synonyms and titles weigh more than words of the member's technical name. */
  weight: number;
}

/** What the planner knows of one member beyond its phrases. */
export interface MemberInfo extends LexiconEntry {
  title: string;
  /** A key into another cube (`encounters.payer` → `payers`): group by that cube's label instead. */
  references?: string | undefined;
  phi?: string | undefined;
  primaryKey: boolean;
  /** Visible but masked for this caller (Safe Harbor values, or none). */
  masked: boolean;
  /** A date the caller sees as its year only (masked to 1 January): by year, or not at all. */
  yearOnly: boolean;
}

/** What the caller may see, indexed for matching. Built from `meta(ctx)`, so hidden members never appear. */
export interface PlannerCatalog {
  cubes: MetaCube[];
  entries: LexiconEntry[];
  /** Cube name → its phrases (name, title, synonyms), stemmed. */
  cubeWords: Map<string, string[][]>;
  /** Cube name → its default time dimension (the first unmasked one, else the first kept to the year). */
  timeDimension: Map<string, string>;
  members: Map<string, MemberInfo>;
  /** Cube name → cubes it can reach through its keys (itself included). */
  reach: Map<string, Set<string>>;
  /** Cube name → the dimension that names its rows (name, description, …), when it has one. */
  label: Map<string, string>;
  /** Cube name → its plain row count measure. */
  countMeasure: Map<string, string>;
  /** Dimension → value (as stored) → phrases people use for it. */
  valueSynonyms: Map<string, Map<string, string[][]>>;
  /**
   * Verified example questions from the model (`meta.examples` on a cube: question and the
   * semantic query that answers it), keyed by the question's normalised words.
   */
  examples: Map<string, { question: string; query: Record<string, unknown> }>;
}

const LABEL_NAMES = ['description', 'name', 'title', 'label'];

function phrases(text: string | undefined): string[][] {
  if (!text) return [];
  const p = contentStems(text.replace(/_/g, ' '));
  return p.length ? [p] : [];
}

function localName(member: string): string {
  return member.split('.').slice(1).join('.');
}

/** The cube a key column points at: `payer` or `payer_id` → `payers`, by the cubes' own names. */
function referencedCube(dimension: string, cube: string, cubeNames: readonly string[]): string | undefined {
  const local = stem(localName(dimension).replace(/_?id$/, ''));
  return cubeNames.find((c) => c !== cube && stem(c) === local);
}

/**
 * Index the caller's visible members by the words people use for them. Views repeat cube members
 * under other names; the planner answers from cubes, so a question never mixes the two.
 */
export function buildCatalog(all: readonly MetaCube[]): PlannerCatalog {
  const cubes = all.filter((c) => c.type !== 'view');
  const names = cubes.map((c) => c.name);
  const catalog: PlannerCatalog = {
    cubes,
    entries: [],
    cubeWords: new Map(),
    timeDimension: new Map(),
    members: new Map(),
    reach: new Map(),
    label: new Map(),
    countMeasure: new Map(),
    valueSynonyms: new Map(),
    examples: new Map(),
  };
  for (const cube of cubes) {
    for (const ex of exampleList(cube.meta?.examples)) catalog.examples.set(exampleKey(ex.question), ex);
    catalog.cubeWords.set(cube.name, [
      ...phrases(cube.name),
      ...phrases(cube.title),
      ...(cube.meta?.synonyms ?? []).flatMap((s) => phrases(s)),
    ]);
    const add = (m: MetaMember, kind: EntryKind) => {
      const local = localName(m.name);
      // Cube's meta says countDistinct; model files (and some servers) say count_distinct.
      const aggType = m.aggType?.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      const base = { member: m.name, cube: cube.name, kind, type: m.type, aggType };
      // Cube's meta prefixes titles with the cube's ("Payers Amount Covered"); the short title is
      // the member's own, and the cube's words are matched as the cube's.
      const all: Array<[string[], number]> = [
        ...phrases(local).map((p): [string[], number] => [p, 1]),
        ...phrases(m.shortTitle ?? m.title).map((p): [string[], number] => [p, 1.2]),
        ...(m.meta?.synonyms ?? []).flatMap((s) => phrases(s)).map((p): [string[], number] => [p, 1.5]),
      ];
      for (const [phrase, weight] of all) catalog.entries.push({ ...base, phrase, weight });
      const references = kind === 'dimension' ? referencedCube(m.name, cube.name, names) : undefined;
      catalog.members.set(m.name, {
        ...base,
        phrase: all[0]?.[0] ?? [],
        weight: 1,
        title: m.shortTitle ?? m.title ?? local,
        references,
        phi: m.meta?.phi,
        primaryKey: Boolean(m.primaryKey),
        masked: Boolean(m.meta?.masked),
        yearOnly: Boolean(m.meta?.masked) && m.meta?.masked_to === 'year',
      });
    };
    for (const m of cube.measures) {
      add(m, 'measure');
      if (m.aggType === 'count' && localName(m.name) === 'count') catalog.countMeasure.set(cube.name, m.name);
    }
    for (const d of cube.dimensions) {
      add(d, d.type === 'time' ? 'time' : 'dimension');
      // A date kept to the year still answers by year; a date masked entirely answers nothing.
      const usable = !d.meta?.masked || d.meta.masked_to === 'year';
      const current = catalog.timeDimension.get(cube.name);
      if (
        d.type === 'time' &&
        usable &&
        (!current || (catalog.members.get(current)?.masked && !d.meta?.masked))
      )
        catalog.timeDimension.set(cube.name, d.name);
      const vs = d.meta?.value_synonyms;
      if (vs) {
        catalog.valueSynonyms.set(
          d.name,
          new Map(Object.entries(vs).map(([value, words]) => [value, words.flatMap((w) => phrases(w))])),
        );
      }
    }
    for (const s of cube.segments ?? []) add(s, 'segment');
    const label = LABEL_NAMES.map((n) => cube.dimensions.find((d) => d.name === `${cube.name}.${n}`)).find(
      Boolean,
    );
    if (label) catalog.label.set(cube.name, label.name);
  }
  // Reach: follow key columns (conditions.encounter → encounters → payers), breadth first.
  for (const cube of names) {
    const seen = new Set([cube]);
    const queue = [cube];
    while (queue.length) {
      const c = queue.shift() as string;
      for (const [, m] of catalog.members) {
        if (m.cube === c && m.references && !seen.has(m.references)) {
          seen.add(m.references);
          queue.push(m.references);
        }
      }
    }
    catalog.reach.set(cube, seen);
  }
  return catalog;
}

/** Whether a query measuring `from` can also name members of `to`. */
export function canReach(catalog: PlannerCatalog, from: string, to: string): boolean {
  return catalog.reach.get(from)?.has(to) ?? from === to;
}

/** The words that identify a question, for matching verified examples: case, punctuation and stop words aside. */
export function exampleKey(question: string): string {
  return question
    .toLowerCase()
    .replace(/[’']/g, '')
    .split(/[^a-z0-9]+/)
    .filter(
      (w) =>
        w &&
        !['the', 'a', 'an', 'of', 'please', 'me', 'show', 'what', 'is', 'are', 'was', 'were'].includes(w),
    )
    .join(' ');
}

function exampleList(raw: unknown): Array<{ question: string; query: Record<string, unknown> }> {
  if (!Array.isArray(raw)) return [];
  return raw.filter(
    (e): e is { question: string; query: Record<string, unknown> } =>
      typeof e === 'object' &&
      e !== null &&
      typeof e.question === 'string' &&
      typeof e.query === 'object' &&
      e.query !== null,
  );
}
