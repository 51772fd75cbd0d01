import type { LatestDate } from './data-dates.ts';
import { contentStems, stem, stemMatches, type Token } from './text.ts';

/** A member as the caller's `/meta` describes it: the fields the interpreter reads. */
export interface LexiconMember {
  name: string;
  title?: string | undefined;
  shortTitle?: string | undefined;
  description?: string | undefined;
  type: string;
  aggType?: string | undefined;
  primaryKey?: boolean | undefined;
  /** The source columns the member's SQL reads (`/meta` `columns`): raw names analysts say. */
  columns?: readonly string[] | undefined;
  /** A measure whose own filters keep some rows only (`/meta` `filtered`). */
  filtered?: boolean | undefined;
  /** A rolling-window measure (`/meta` `cumulative`). */
  cumulative?: boolean | undefined;
  /** A measure that compares a period with another (`/meta` `comparesPeriods`): it needs a time dimension. */
  comparesPeriods?: boolean | undefined;
  meta?:
    | {
        synonyms?: string[];
        value_synonyms?: Record<string, string[]>;
        /** Words that mean this member is empty ("active" for a stop date), or that it is not. */
        null_means?: string[];
        not_null_means?: string[];
        [k: string]: unknown;
      }
    | undefined;
}

/** A cube as the caller's `/meta` describes it. Views repeat cube members and are left out. */
export interface LexiconCube {
  name: string;
  title?: string | undefined;
  type?: string | undefined;
  description?: string | undefined;
  /** The table the cube reads (`/meta` `sqlTable`): "the X table" names the cube. */
  sqlTable?: string | undefined;
  measures: LexiconMember[];
  dimensions: LexiconMember[];
  segments?: LexiconMember[] | undefined;
  meta?: { synonyms?: string[]; [k: string]: unknown } | undefined;
}

/** Distinct values of low-cardinality dimensions, read under the caller's row policy. */
export type LexiconValues = ReadonlyArray<{
  dimension: string;
  values: readonly string[];
  /** Values more than one row holds (of the local index: a name two people share). */
  shared?: readonly string[] | undefined;
  /**
   * Of a label the model says several records share (meta `unique: false`): per shared value, the
   * records holding it — key, and what tells them apart ("330 MOUNT AUBURN ST, CAMBRIDGE").
   */
  holders?: Readonly<Record<string, ReadonlyArray<SharedHolder>>> | undefined;
}>;

/** One of the records a shared label names: its key and the fields that tell it from the others. */
export interface SharedHolder {
  key: string;
  detail: string;
}

/**
 * Bracketed qualifiers of coded text ("(disorder)", "(finding)", "[Humulin]"): words a person
 * leaves out when naming the value.
 */
const QUALIFIER = /\s*(?:\([^()]*\)|\[[^[\]]*\])/g;

/**
 * A value as people say it: lower case, without bracketed qualifiers, punctuation, hyphens or
 * doubled spaces. Two stored values with the same key are the same thing spelled two ways.
 *
 * @example valueKey('Acute  bronchitis (disorder)') // 'acute bronchitis'
 */
export function valueKey(value: string): string {
  return (
    value
      .replace(QUALIFIER, ' ')
      .toLowerCase()
      .replace(/[^a-z0-9.]+/g, ' ')
      .trim() || value.toLowerCase().trim()
  );
}

/** Words that name something, and how much a whole match of them counts. */
export interface Phrase {
  stems: string[];
  weight: number;
}

export type MemberKind = 'measure' | 'dimension' | 'time' | 'segment';

export interface MemberEntry {
  member: string;
  cube: string;
  /** The column name in the cube's governed relation. */
  column: string;
  /** The source columns the member's SQL reads (`/meta` `columns`), when the model gives them. */
  columns?: readonly string[] | undefined;
  kind: MemberKind;
  type: string;
  aggType?: string | undefined;
  title: string;
  phrases: Phrase[];
  primaryKey: boolean;
  /** The cube whose rows this key dimension points at (`encounters.patient` → `patients`). */
  references?: string | undefined;
  masked: boolean;
  /** Words of the member's description: what it is about, placed once the member is chosen. */
  about: Set<string>;
  /**
   * The words of `about`, plus the synonyms the model gives for the cubes and members the
   * description names ("payers" → "insurer"): how a measure may be found by a paraphrase of what
   * it computes (kpi.ts). Built with the lexicon.
   */
  described?: Set<string> | undefined;
  /** A measure the model marks as a KPI (meta `kpi: true`). */
  kpi?: boolean | undefined;
  /** A date the caller sees as its year only (masked to 1 January): by year, or not at all. */
  yearOnly: boolean;
  /** The model's PHI class (`direct`, `quasi`) and Safe Harbor kind (`ssn`, `name`), when it gives them. */
  phi?: string | undefined;
  safeHarbor?: string | undefined;
  /** What the model says the member is for (meta `role`), e.g. `stop`: the time a row ended. */
  role?: string | undefined;
  /** The unit a number is kept in (meta `unit`: `minute`, `second`, `hour`, `day`), for conversions. */
  unit?: string | undefined;
  /**
   * For a measure that is the plain sum of one number column of its cube over all its rows (no
   * filters of its own, no window): that column's dimension. Its words ("medication spend") then
   * name the column where a figure is built from columns (a running total, a statistic).
   */
  sumOf?: string | undefined;
  /** A measure that compares each period with another: asked without periods, it has nothing to compare. */
  comparesPeriods?: true | undefined;
  /**
   * False for a figure of one row that is not added up over an entity's rows (a length of stay):
   * "average length of stay per hospital" is each hospital's average (meta `additive: false`).
   */
  additive?: false | undefined;
  /**
   * False for a label several records share (meta `unique: false`: two organizations of one
   * name): a breakdown by its records is by their key, with the label beside it.
   */
  unique?: false | undefined;
  /**
   * Words that say a period is about this date (meta `time_words`: "discharged" for an end date),
   * as stems; and for a measure, the date its rows are counted by (meta `time_dimension`).
   */
  timeWords?: string[][] | undefined;
  timeDimension?: string | undefined;
  /**
   * For a measure that is a statistic of one column over some rows (meta `statistic_of`: an
   * average length of stay is the mean duration of inpatient stays): the column and the rows'
   * conditions. Another statistic of the measure's words ("median length of stay", "length of
   * stay in hours") is then taken of the same column over the same rows, in the measure's unit.
   */
  statisticOf?: { member: string; where: Array<{ member: string; op: 'in'; values: string[] }> } | undefined;
  /**
   * Its values name what the rows are about, things other records may be of (meta
   * `values_name_other_records`: an allergy's substance, which may be a drug): see `ValueEntry.yields`.
   */
  valuesNameOthers?: true | undefined;
}

export interface CubeEntry {
  name: string;
  title: string;
  phrases: Phrase[];
  primaryKey?: string | undefined;
  timeDimension?: string | undefined;
  /** The time dimension is kept to the year for this caller (Safe Harbor): only whole years filter or group it. */
  yearOnly?: boolean | undefined;
  /** Referenced cube → the key dimension of this cube that points at it. */
  keys: Map<string, string>;
  /** The dimension that names a row (its description, name or title), when there is one. */
  label?: string | undefined;
  /**
   * The dimensions a person reads as the row's name: its name or title, or the parts of a
   * person's name the model calls "first name" and "last name" (by titles or synonyms).
   */
  names?: string[] | undefined;
  /** The plain count of rows. */
  count?: string | undefined;
  /** Cubes this one reaches through its keys (itself included): what a query over it may name. */
  reach: Set<string>;
  /** The cube whose rows are this one's activity (meta `activity`): "patients seen in 2021". */
  activity?: string | undefined;
  /**
   * Verbs that name this cube's event (meta `verbs`: "prescribed", "issued"), as written: matched
   * whole, since stems of verbs collide ("noted" and "not").
   */
  verbs?: string[] | undefined;
}

/** A stored value (or a word the model says people use for it) of a dimension. */
export interface ValueEntry {
  member: string;
  cube: string;
  value: string;
  stems: string[];
  /** A synonym from the model (`value_synonyms`) rather than the stored text. */
  synonym: boolean;
  /**
   * The stored text said without its bracketed qualifiers ("Acute bronchitis (disorder)" as
   * "acute bronchitis"): how people name coded values. The entry of the full text is kept too.
   */
  plain?: boolean | undefined;
  /**
   * From the local index of PHI-tagged labels (names of people): for the offline interpreter
   * only, never retrieved for a model endpoint's prompt (see `retrieveValues`).
   */
  local?: boolean | undefined;
  /** More than one row holds it (a name two people share): it names no single record. */
  shared?: boolean | undefined;
  /** The records a label several of them share names (meta `unique: false`), when known. */
  holders?: ReadonlyArray<SharedHolder> | undefined;
  /**
   * A value of a dimension whose values name what its rows are about (meta
   * `values_name_other_records`: an allergy's substance) that other records of the model hold too
   * (a drug of that name): it names this cube's rows only where the question names the cube
   * ("allergic to X"); said alone, the words are the other records'.
   */
  yields?: true | undefined;
}

/**
 * What the caller may see, indexed for matching: members and cubes by their names, titles,
 * descriptions and synonyms, dimension values, and document frequencies for weighting rare words
 * above common ones. Built once per security context.
 */
export interface Lexicon {
  cubes: Map<string, CubeEntry>;
  members: Map<string, MemberEntry>;
  values: ValueEntry[];
  /** Words the model says mean a member is empty (or not): "active" = no stop date. */
  nulls: Array<{ member: string; cube: string; stems: string[]; isNull: boolean }>;
  /** Stem → inverse document frequency over member and cube phrases. */
  idf: Map<string, number>;
  /** Every stem of a stored value: a question word that is none of these may be a typo of one. */
  valueStems: Set<string>;
  /**
   * The latest date of a date member in the caller's rows, when the plan looked it up (a question
   * with a relative period): "last quarter" is then read against the data, not today.
   */
  latestDate?: LatestDate;
}

/** A phrase found in the question: the thing it names, the tokens it covers, and its score. */
export interface Match<T> {
  target: T;
  covered: number[];
  score: number;
  /** Share of the phrase's weight that the question matched (1 = every word). */
  completeness: number;
  /** Covered words said apart for one glued word of the name ("total cost" for totalcost). */
  joined?: number[] | undefined;
}

/** Column names that, in any model, name what a row is. */
const LABEL_WORDS = ['description', 'name', 'title', 'label'];

/** Words that, before "name", say which part of a person's name it is (English). */
const NAME_PARTS = [
  ['first', 'given', 'forename'],
  ['last', 'family', 'surname'],
];

function phrase(text: string | undefined, weight: number): Phrase[] {
  if (!text) return [];
  const stems = contentStems(text);
  return stems.length ? [{ stems, weight }] : [];
}

const ORDINALS = ['', 'first', 'second', 'third', 'fourth', 'fifth'];

/**
 * A raw column or table name as words: whole ("totalcost"), split on underscores and digits
 * ("base_cost" → "base cost", "reaction1" → "reaction 1"), and a numbered column by its ordinal
 * ("reaction1" → "first reaction").
 */
function rawName(name: string | undefined): Phrase[] {
  if (!name) return [];
  const lower = name.toLowerCase();
  const words = lower.replace(/(\d+)/g, ' $1 ').replace(/_/g, ' ').trim();
  const numbered = /^([a-z_]*[a-z])_?(\d)$/.exec(lower);
  const ordinal = numbered?.[1] && ORDINALS[Number(numbered[2])];
  return [
    ...phrase(lower.replace(/_/g, ''), 1),
    ...(words !== lower ? phrase(words, 1) : []),
    ...(ordinal && numbered?.[1] ? phrase(`${ordinal} ${numbered[1].replace(/_/g, ' ')}`, 1) : []),
  ];
}

function local(member: string): string {
  return member.split('.').slice(1).join('.');
}

/** Meta `statistic_of: { member, where: { dimension: [values] } }`, with the cube's names. */
function statisticOf(cube: string, meta: unknown): MemberEntry['statisticOf'] {
  if (!meta || typeof meta !== 'object') return undefined;
  const { member, where } = meta as { member?: unknown; where?: unknown };
  if (typeof member !== 'string') return undefined;
  const full = (x: string) => (x.includes('.') ? x : `${cube}.${x}`);
  const conditions = Object.entries(where && typeof where === 'object' ? where : {}).map(([k, v]) => ({
    member: full(k),
    op: 'in' as const,
    values: (Array.isArray(v) ? v : [v]).map(String),
  }));
  return { member: full(member), where: conditions };
}

/** Titles as a person writes them: no doubled words ("Total Total Claim Cost" → "Total Claim Cost"). */
export function readableTitle(title: string): string {
  return title
    .split(/\s+/)
    .filter((w, i, all) => i === 0 || w.toLowerCase() !== all[i - 1]?.toLowerCase())
    .join(' ');
}

/**
 * Index the caller's visible cubes and values.
 *
 * @example const lexicon = buildLexicon(meta, values); matchCubes(tokenize('visits per patient'), lexicon)
 */
export function buildLexicon(
  all: readonly LexiconCube[],
  values: LexiconValues,
  /**
   * PHI-tagged labels the caller may see unmasked (people's names), read for the offline
   * interpreter to recognise a person named in a question. Kept apart: never retrieved for a
   * model endpoint (`retrieveValues` leaves them out) nor used as vocabulary for the PHI boundary.
   */
  localValues: LexiconValues = [],
): Lexicon {
  const cubes = all.filter((c) => c.type !== 'view');
  const lexicon: Lexicon = {
    cubes: new Map(),
    members: new Map(),
    values: [],
    nulls: [],
    idf: new Map(),
    valueStems: new Set(),
  };
  const names = cubes.map((c) => c.name);
  for (const cube of cubes) {
    const entry: CubeEntry = {
      name: cube.name,
      title: cube.title ?? cube.name,
      phrases: [
        ...phrase(cube.name, 1),
        ...phrase(cube.title, 1),
        ...(cube.meta?.synonyms ?? []).flatMap((s) => phrase(s, 1)),
        ...rawName(cube.sqlTable),
      ],
      keys: new Map(),
      reach: new Set([cube.name]),
      activity: typeof cube.meta?.activity === 'string' ? cube.meta.activity : undefined,
      verbs: Array.isArray(cube.meta?.verbs)
        ? (cube.meta.verbs as unknown[]).map((v) => String(v).toLowerCase())
        : undefined,
    };
    lexicon.cubes.set(cube.name, entry);
    const add = (m: LexiconMember, kind: MemberKind) => {
      const column = local(m.name);
      const title = readableTitle(m.shortTitle ?? m.title ?? column.replace(/_/g, ' '));
      const references =
        kind === 'dimension' && !m.primaryKey && m.type === 'string'
          ? names.find((c) => c !== cube.name && stem(c) === stem(column.replace(/_?id$/, '')))
          : undefined;
      if (references) entry.keys.set(references, m.name);
      if (m.primaryKey) entry.primaryKey = m.name;
      const masked = Boolean(m.meta?.masked);
      // A date kept to the year still answers by year; a date masked entirely answers nothing.
      const yearOnly = masked && m.meta?.masked_to === 'year';
      if (kind === 'time' && (!masked || yearOnly) && (!entry.timeDimension || (entry.yearOnly && !masked))) {
        entry.timeDimension = m.name;
        entry.yearOnly = yearOnly;
      }
      lexicon.members.set(m.name, {
        member: m.name,
        cube: cube.name,
        column,
        columns: m.columns,
        kind,
        type: m.type,
        aggType: m.aggType?.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()),
        title,
        phrases: [
          ...phrase(column, 1),
          ...phrase(title, 1.1),
          // A unit in parentheses ("Duration (minutes)") is not a word people must say.
          ...(title.includes('(') ? phrase(title.replace(/\([^)]*\)/g, ' '), 1.1) : []),
          ...(m.meta?.synonyms ?? []).flatMap((s) => phrase(s, 1.3)),
          // Raw names add only what the member's name does not already say (a numbered column, a
          // source column named otherwise), so word weights stay as the model's names give them.
          ...[
            ...(/\d/.test(column) ? [column] : []),
            ...(m.columns ?? []).filter((c) => c !== column),
          ].flatMap(rawName),
        ],
        primaryKey: Boolean(m.primaryKey),
        references,
        masked,
        about: new Set([...contentStems(m.description ?? ''), ...contentStems(title)]),
        yearOnly,
        phi: typeof m.meta?.phi === 'string' ? m.meta.phi : undefined,
        safeHarbor: typeof m.meta?.safe_harbor === 'string' ? m.meta.safe_harbor : undefined,
        role: typeof m.meta?.role === 'string' ? m.meta.role : undefined,
        unit: typeof m.meta?.unit === 'string' ? m.meta.unit : undefined,
        additive: m.meta?.additive === false ? false : undefined,
        unique: m.meta?.unique === false ? false : undefined,
        ...(m.meta?.kpi === true ? { kpi: true } : {}),
        ...(m.comparesPeriods === true ? { comparesPeriods: true as const } : {}),
        timeWords: Array.isArray(m.meta?.time_words)
          ? (m.meta.time_words as unknown[]).map((x) => contentStems(String(x))).filter((x) => x.length)
          : undefined,
        timeDimension:
          typeof m.meta?.time_dimension === 'string'
            ? m.meta.time_dimension.includes('.')
              ? m.meta.time_dimension
              : `${cube.name}.${m.meta.time_dimension}`
            : undefined,
        statisticOf: statisticOf(cube.name, m.meta?.statistic_of),
        ...(m.meta?.values_name_other_records === true ? { valuesNameOthers: true as const } : {}),
      });
      if (kind === 'measure' && m.aggType === 'count' && (column === 'count' || !entry.count))
        entry.count = m.name;
      for (const [list, isNull] of [
        [m.meta?.null_means, true],
        [m.meta?.not_null_means, false],
      ] as const) {
        for (const w of list ?? []) {
          const stems = contentStems(w);
          if (stems.length) lexicon.nulls.push({ member: m.name, cube: cube.name, stems, isNull });
        }
      }
      for (const [value, words] of Object.entries(m.meta?.value_synonyms ?? {})) {
        for (const w of words) {
          const stems = contentStems(w);
          if (stems.length)
            lexicon.values.push({ member: m.name, cube: cube.name, value, stems, synonym: true });
        }
      }
    };
    for (const m of cube.measures) add(m, 'measure');
    for (const d of cube.dimensions) add(d, d.type === 'time' ? 'time' : 'dimension');
    for (const m of cube.measures) {
      const source = m.columns?.length === 1 ? m.columns[0] : undefined;
      if (m.aggType !== 'sum' || m.filtered || m.cumulative || !source) continue;
      const column = cube.dimensions.find(
        (d) => d.type === 'number' && (d.columns?.length === 1 ? d.columns[0] : local(d.name)) === source,
      );
      const entry = lexicon.members.get(m.name);
      if (column && entry) entry.sumOf = column.name;
    }
    for (const s of cube.segments ?? []) add(s, 'segment');
    // The dimension that names a row: by the words cube models use for it.
    entry.label = LABEL_WORDS.map((w) => `${cube.name}.${w}`).find((n) =>
      cube.dimensions.some((d) => d.name === n),
    );
    // What "names" or "who" asks for: a name or title, else a person's first and last name.
    if (entry.label && !entry.label.endsWith('.description')) entry.names = [entry.label];
    else {
      const parts = NAME_PARTS.map((words) =>
        cube.dimensions.find((d) =>
          lexicon.members
            .get(d.name)
            ?.phrases.some(
              (p) => p.stems.length === 2 && p.stems[1] === 'name' && words.includes(p.stems[0] as string),
            ),
        ),
      ).filter((d): d is LexiconMember => d !== undefined);
      if (parts.length) entry.names = parts.map((d) => d.name);
    }
  }
  // Reach: follow keys to the cubes they point at, breadth first.
  for (const entry of lexicon.cubes.values()) {
    const queue = [entry.name];
    while (queue.length) {
      const c = lexicon.cubes.get(queue.shift() as string);
      for (const target of c?.keys.keys() ?? [])
        if (!entry.reach.has(target)) {
          entry.reach.add(target);
          queue.push(target);
        }
    }
  }
  const addValues = (index: LexiconValues, local: boolean) => {
    for (const { dimension, values: list, shared, holders } of index) {
      const m = lexicon.members.get(dimension);
      if (!m) continue;
      const several = new Set(shared ?? []);
      for (const value of list) {
        const stems = contentStems(value);
        if (!stems.length) continue;
        const entry = {
          member: dimension,
          cube: m.cube,
          value,
          stems,
          synonym: false,
          ...(several.has(value) ? { shared: true } : {}),
          ...(holders?.[value]?.length ? { holders: holders[value] } : {}),
        };
        lexicon.values.push(local ? { ...entry, local } : entry);
        for (const s of stems) lexicon.valueStems.add(s);
        // "Acute bronchitis (disorder)" is said "acute bronchitis": that too names the value whole.
        const plain = contentStems(value.replace(QUALIFIER, ' '));
        if (plain.length && plain.join(' ') !== stems.join(' '))
          lexicon.values.push({ ...entry, stems: plain, plain: true, ...(local ? { local } : {}) });
      }
    }
  };
  addValues(values, false);
  addValues(localValues, true);
  // A value synonym names the stored value with the same words, however it is punctuated
  // ("Influenza, seasonal" in the model, "Influenza  seasonal" in the data), which a filter on the
  // model's spelling would never meet.
  const stored = new Map<string, Array<{ value: string; key: string }>>();
  for (const v of lexicon.values)
    if (!v.synonym && !v.plain) {
      const list = stored.get(v.member) ?? [];
      list.push({ value: v.value, key: v.stems.join(' ') });
      stored.set(v.member, list);
    }
  lexicon.values = lexicon.values.flatMap((v) => {
    const list = stored.get(v.member);
    if (!v.synonym || !list || list.some((x) => x.value === v.value)) return [v];
    const key = contentStems(v.value).join(' ');
    const same = list.filter((x) => x.key === key).map((x) => ({ ...v, value: x.value }));
    return same.length ? same : [v];
  });
  markYielding(lexicon);
  describeMeasures(lexicon);
  // Document frequency over every phrase: a word shared by many members says little.
  const df = new Map<string, number>();
  let docs = 0;
  const count = (ps: Phrase[]) => {
    docs++;
    for (const s of new Set(ps.flatMap((p) => p.stems))) df.set(s, (df.get(s) ?? 0) + 1);
  };
  for (const c of lexicon.cubes.values()) count(c.phrases);
  for (const m of lexicon.members.values()) count(m.phrases);
  for (const [s, n] of df) lexicon.idf.set(s, Math.log(1 + (docs - n + 0.5) / (n + 0.5)));
  return lexicon;
}

/**
 * Values of a dimension the model says names what its rows are about (meta
 * `values_name_other_records`: "Lisinopril" of an allergy) whose words a stored value of another
 * cube holds too ("lisinopril 10 MG Oral Tablet" of a medication): marked `yields`, named only
 * with their own cube's words.
 */
function markYielding(lexicon: Lexicon): void {
  const about = new Set([...lexicon.members.values()].filter((m) => m.valuesNameOthers).map((m) => m.member));
  if (!about.size) return;
  const others = lexicon.values.filter((u) => !u.synonym && !u.local && !about.has(u.member));
  for (const v of lexicon.values) {
    if (!about.has(v.member)) continue;
    const words = v.stems.filter((s) => !/^\d/.test(s));
    if (!words.length) continue;
    if (others.some((u) => u.cube !== v.cube && words.every((s) => u.stems.includes(s)))) v.yields = true;
  }
}

/**
 * A measure's description words, widened by the synonyms of what it names: a cube or member whose
 * name or title the description says whole lends its synonyms ("payers" → insurer, insurance).
 */
function describeMeasures(lexicon: Lexicon): void {
  const named: Array<{ stems: string[]; synonyms: string[] }> = [];
  const own = (ps: Phrase[], n: number) => ps.slice(0, n).map((p) => p.stems);
  for (const c of lexicon.cubes.values())
    for (const stems of own(c.phrases, 2))
      named.push({ stems, synonyms: c.phrases.slice(2).flatMap((p) => p.stems) });
  for (const m of lexicon.members.values()) {
    if (m.kind === 'measure') continue;
    const synonyms = m.phrases.filter((p) => p.weight > 1.2).flatMap((p) => p.stems);
    if (synonyms.length) for (const stems of own(m.phrases, 2)) named.push({ stems, synonyms });
  }
  for (const m of lexicon.members.values()) {
    if (m.kind !== 'measure') continue;
    const words = new Set([...m.about, ...m.phrases.flatMap((p) => p.stems)]);
    const out = new Set(words);
    for (const n of named)
      if (n.stems.length && n.stems.every((s) => words.has(s))) for (const s of n.synonyms) out.add(s);
    m.described = out;
  }
}

/** Question stem → the lexicon's stems it matches (itself, or with a small typo), computed once. */
const nearCache = new WeakMap<Lexicon, Map<string, Set<string>>>();

function near(lexicon: Lexicon, question: string, s: string): boolean {
  return question === s || nearStems(lexicon, question).has(s);
}

/**
 * The lexicon's stems a question stem matches: itself when the model uses that word, else those it
 * is a small typo of; computed once.
 */
function nearStems(lexicon: Lexicon, question: string): Set<string> {
  let cache = nearCache.get(lexicon);
  if (!cache) {
    cache = new Map();
    nearCache.set(lexicon, cache);
  }
  let hits = cache.get(question);
  if (!hits) {
    hits = new Set<string>();
    // A word the model itself uses is that word, not a typo of another ("counties" is not "count").
    if (lexicon.idf.has(question)) hits.add(question);
    else {
      for (const candidate of lexicon.idf.keys()) if (stemMatches(question, candidate)) hits.add(candidate);
    }
    if (cache.size > 5000) cache.clear();
    cache.set(question, hits);
  }
  return hits;
}

/**
 * Every stem a phrase could match among the free tokens (their own stems, typos of them, and
 * adjacent words glued): a phrase with none of these cannot score, so it is not scored at all.
 */
function reachableStems(tokens: readonly Token[], free: ReadonlySet<number>, lexicon: Lexicon): Set<string> {
  const out = new Set<string>();
  for (const t of tokens) {
    if (!free.has(t.index)) continue;
    out.add(t.stem);
    for (const s of nearStems(lexicon, t.stem)) out.add(s);
  }
  for (const s of joinedPairs(tokens).keys()) out.add(s);
  return out;
}

/** Adjacent question words written as one ("total cost" → "totalcost") by that stem, once per question. */
const pairCache = new WeakMap<readonly Token[], Map<string, Array<{ first: number; second: number }>>>();

function joinedPairs(tokens: readonly Token[]): Map<string, Array<{ first: number; second: number }>> {
  let pairs = pairCache.get(tokens);
  if (!pairs) {
    pairs = new Map();
    for (let i = 0; i + 1 < tokens.length; i++) {
      const a = tokens[i] as Token;
      const b = tokens[i + 1] as Token;
      if (a.index + 1 !== b.index || /\d/.test(a.word + b.word) || a.word.length < 3 || b.word.length < 3)
        continue;
      const joined = stem(a.word + b.word);
      pairs.set(joined, [...(pairs.get(joined) ?? []), { first: a.index, second: b.index }]);
    }
    pairCache.set(tokens, pairs);
  }
  return pairs;
}

function idf(lexicon: Lexicon, s: string): number {
  return lexicon.idf.get(s) ?? Math.log(1 + lexicon.members.size);
}

/**
 * Score a phrase against the question's free tokens: the weighted idf of the words it matched
 * (stems, small typos), scaled by how complete the match is. Below half the phrase, no match.
 */
export function scorePhrase(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  p: Phrase,
  lexicon: Lexicon,
): { score: number; covered: number[]; completeness: number; joined?: number[] } | null {
  let total = 0;
  let matched = 0;
  const covered: number[] = [];
  const joinedAt: number[] = [];
  for (const s of p.stems) {
    const w = idf(lexicon, s);
    total += w;
    const t = tokens.find((x) => free.has(x.index) && !covered.includes(x.index) && near(lexicon, x.stem, s));
    if (t) {
      matched += w;
      covered.push(t.index);
      continue;
    }
    // A name glued in the model and split in the question ("wait time" for waittime, "visit type"
    // for visittype), or the other way round.
    const pair = joinedPairs(tokens)
      .get(s)
      ?.find(
        (j) =>
          free.has(j.first) &&
          free.has(j.second) &&
          !covered.includes(j.first) &&
          !covered.includes(j.second),
      );
    if (pair) {
      matched += w;
      covered.push(pair.first, pair.second);
      joinedAt.push(pair.first, pair.second);
    }
  }
  if (!covered.length || total === 0) return null;
  const completeness = matched / total;
  if (completeness < 0.5) return null;
  const score = matched * completeness * p.weight;
  return joinedAt.length
    ? { score, covered, completeness, joined: joinedAt }
    : { score, covered, completeness };
}

function best<T>(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  phrases: Phrase[],
  lexicon: Lexicon,
  target: T,
  /** Only phrases said whole: a part of a longer synonym ("care providers") never hides a whole name. */
  wholeOnly = false,
  /** The stems any phrase could match here (reachableStems), to skip phrases that cannot. */
  reachable?: ReadonlySet<string>,
): Match<T> | null {
  let top: Match<T> | null = null;
  for (const p of phrases) {
    if (reachable && !p.stems.some((x) => reachable.has(x))) continue;
    const s = scorePhrase(tokens, free, p, lexicon);
    if (!s || (wholeOnly && s.completeness !== 1)) continue;
    // Of two whole phrases of one member, the one that places more words ("reason description"
    // for reasondescription over its synonym "reason").
    const more =
      top && s.completeness === 1 && top.completeness === 1 && s.covered.length !== top.covered.length;
    if (!top || (more ? s.covered.length > top.covered.length : s.score > top.score)) top = { target, ...s };
  }
  return top;
}

/** Members whose words appear among the free tokens, best first. */
export function matchMembers(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  lexicon: Lexicon,
  accept: (m: MemberEntry) => boolean,
): Array<Match<MemberEntry>> {
  const out: Array<Match<MemberEntry>> = [];
  const reachable = reachableStems(tokens, free, lexicon);
  for (const m of lexicon.members.values()) {
    if (!accept(m)) continue;
    const hit = best(tokens, free, m.phrases, lexicon, m, false, reachable);
    if (hit) out.push(hit);
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Cubes named among the free tokens (only whole names, titles or synonyms), best first. */
export function matchCubes(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  lexicon: Lexicon,
): Array<Match<CubeEntry>> {
  const out: Array<Match<CubeEntry>> = [];
  const reachable = reachableStems(tokens, free, lexicon);
  for (const c of lexicon.cubes.values()) {
    const hit = best(tokens, free, c.phrases, lexicon, c, true, reachable);
    if (hit && hit.completeness === 1) out.push(hit);
  }
  return out.sort((a, b) => b.score - a.score || a.covered[0]! - b.covered[0]!);
}

/**
 * Question position → the cubes a single word there names by a whole name or synonym ("script"),
 * and at -1 every cube the question names; once per question.
 */
const cubeWordCache = new WeakMap<readonly Token[], Map<number, string[]>>();

function cubeWords(tokens: readonly Token[], lexicon: Lexicon): Map<number, string[]> {
  let out = cubeWordCache.get(tokens);
  if (!out) {
    out = new Map();
    const all = matchCubes(tokens, new Set(tokens.map((t) => t.index)), lexicon);
    for (const m of all) {
      out.set(-1, [...(out.get(-1) ?? []), m.target.name]);
      if (m.covered.length === 1) {
        const at = m.covered[0] as number;
        out.set(at, [...(out.get(at) ?? []), m.target.name]);
      }
    }
    cubeWordCache.set(tokens, out);
  }
  return out;
}

/** First stem of each value → the positions of the values starting with it, built once. */
const firstIndex = new WeakMap<Lexicon, Map<string, number[]>>();

function firstStemIndex(lexicon: Lexicon): Map<string, number[]> {
  let index = firstIndex.get(lexicon);
  if (!index) {
    index = new Map();
    lexicon.values.forEach((v, i) => {
      const first = v.stems[0] as string;
      const list = index?.get(first);
      if (list) list.push(i);
      else index?.set(first, [i]);
    });
    firstIndex.set(lexicon, index);
  }
  return index;
}

/** Question stem → the value stems it may be a typo of (none when it is a known word), computed once. */
const typoCache = new WeakMap<Lexicon, Map<string, Set<string>>>();

function typosOf(lexicon: Lexicon, question: string): Set<string> {
  let cache = typoCache.get(lexicon);
  if (!cache) {
    cache = new Map();
    typoCache.set(lexicon, cache);
  }
  let hits = cache.get(question);
  if (!hits) {
    hits = new Set<string>();
    // A word the model or its values know is not a typo of another one.
    if (question.length >= 6 && !lexicon.valueStems.has(question) && !lexicon.idf.has(question))
      for (const s of lexicon.valueStems) if (s.length >= 6 && stemMatches(question, s)) hits.add(s);
    if (cache.size > 5000) cache.clear();
    cache.set(question, hits);
  }
  return hits;
}

/**
 * Values named whole among the free tokens (stored text, the text without its bracketed
 * qualifiers, or the model's synonyms for it), best first: more words first, the exact spelling
 * before a typo ("hyperlipidaemia" for "Hyperlipidemia" still names it, below an exact match).
 */
/** Words that never stand inside a value's words: they start a breakdown or a comparison. */
const SPLITS = new Set(['by', 'per', 'vs', 'versus', 'than']);

export function matchValues(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  lexicon: Lexicon,
  accept: (v: ValueEntry) => boolean,
): Array<Match<ValueEntry>> {
  const out: Array<Match<ValueEntry>> = [];
  const open = tokens.filter((x) => free.has(x.index));
  // Only values whose first word the question says (or misspells): an index, not a scan.
  const byFirst = firstStemIndex(lexicon);
  const candidates = new Set<number>();
  for (const x of open) {
    for (const i of byFirst.get(x.stem) ?? []) candidates.add(i);
    for (const s of typosOf(lexicon, x.stem)) for (const i of byFirst.get(s) ?? []) candidates.add(i);
  }
  // Whole stored values of two words or more, whatever `accept` says: the words of "LAWRENCE
  // GENERAL HOSPITAL" name that organization, not the town "Lawrence" inside it.
  const longer: Array<{ covered: number[]; key: string }> = [];
  for (const at of [...candidates].sort((a, b) => a - b)) {
    const v = lexicon.values[at] as ValueEntry;
    // Words other records hold too name this cube's rows only beside the cube's own words.
    if (v.yields && !cubeWords(tokens, lexicon).get(-1)?.includes(v.cube)) continue;
    const accepted = accept(v);
    if (!accepted && v.stems.length < 2) continue;
    // A person's name made only of words the model uses ("Grant", "May") is not read as that person.
    if (v.local && v.stems.every((s) => lexicon.idf.has(s))) continue;
    const covered: number[] = [];
    let typos = 0;
    for (const s of v.stems) {
      let t = open.find((x) => !covered.includes(x.index) && x.stem === s);
      // Names are matched as written, never as a typo of another word.
      if (!t && !v.local) {
        t = open.find((x) => !covered.includes(x.index) && typosOf(lexicon, x.stem).has(s));
        if (t) typos++;
      }
      if (!t) break;
      covered.push(t.index);
    }
    if (covered.length !== v.stems.length) continue;
    // The words must stand together, as the value is written.
    const sorted = [...covered].sort((a, b) => a - b);
    if ((sorted.at(-1) ?? 0) - (sorted[0] ?? 0) >= covered.length + 1) continue;
    // A breakdown word between them splits what they say: "length of stay by hospital" groups by
    // the hospital, it does not name a "hospital stay".
    if (
      tokens.some((x) => x.index > (sorted[0] ?? 0) && x.index < (sorted.at(-1) ?? 0) && SPLITS.has(x.word))
    )
      continue;
    // A word of the value's own cube said between its words ("diabetes self-management *care*
    // plans") belongs to that value, not to a reading of its own.
    const first = sorted[0] ?? 0;
    for (let k = first + 1; k < (sorted.at(-1) ?? 0); k++) {
      const x = open.find((o) => o.index === k);
      if (
        x &&
        !covered.includes(k) &&
        lexicon.cubes.get(v.cube)?.phrases.some((p) => p.stems.includes(x.stem))
      )
        covered.push(k);
    }
    if (v.synonym) {
      // A synonym of an attribute said right before a noun naming another cube modifies that noun
      // ("single script" is no marital status), unless the question names the attribute's cube
      // too. A record's name ("uninsured" for a payer) may qualify other rows ("uninsured patients").
      const next = tokens.find((x) => x.index === (sorted.at(-1) ?? 0) + 1);
      const named = cubeWords(tokens, lexicon);
      const cube = lexicon.cubes.get(v.cube);
      const record = cube?.label === v.member || cube?.names?.includes(v.member);
      if (
        !record &&
        next &&
        named.get(next.index)?.some((c) => c !== v.cube) &&
        !named.get(-1)?.includes(v.cube)
      )
        continue;
      // Words of the stored text said beside its synonym are that value's ("home" of "home CPAP
      // machines" for "Home continuous positive airway pressure unit"): no other value's.
      const own = new Set(contentStems(v.value));
      for (const step of [-1, 1]) {
        for (let k = step < 0 ? (sorted[0] ?? 0) - 1 : (sorted.at(-1) ?? 0) + 1; ; k += step) {
          const x = open.find((o) => o.index === k);
          if (!x || !own.has(x.stem) || named.has(k) || covered.includes(k)) break;
          covered.push(k);
        }
      }
    }
    // (A person's name the question cannot be about here shadows nothing.)
    if (covered.length >= 2 && !typos && (accepted || !v.local))
      longer.push({ covered, key: valueKey(v.value) });
    if (!accepted) continue;
    out.push({
      target: v,
      covered,
      score: covered.length + (v.synonym ? 0.5 : 0) - typos * 0.4,
      completeness: 1,
    });
  }
  return out
    .filter(
      (m) =>
        // The same value spelled with its qualifier ("Depression screening (procedure)") is no other value.
        !longer.some(
          (l) =>
            l.covered.length > m.covered.length &&
            l.key !== valueKey(m.target.value) &&
            m.covered.every((i) => l.covered.includes(i)),
        ),
    )
    .sort((a, b) => b.score - a.score);
}
