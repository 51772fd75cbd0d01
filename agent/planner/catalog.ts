import { isStopWord, stems } from './text.ts';

/** A member as Cube's /meta describes it, with the fields the planner reads. */
export interface MetaMember {
  name: string;
  title?: string;
  shortTitle?: string;
  description?: string;
  type: string;
  aggType?: string;
  meta?: { synonyms?: string[]; [k: string]: unknown };
}

/** Cube's /meta response, reduced to what the planner uses. */
export interface MetaCube {
  name: string;
  title?: string;
  description?: string;
  measures: MetaMember[];
  dimensions: MetaMember[];
  segments?: MetaMember[];
  meta?: { synonyms?: string[]; [k: string]: unknown };
}

/** A phrase that names a member: its stems, and how much a match counts. */
export interface LexiconEntry {
  member: string;
  cube: string;
  kind: 'measure' | 'dimension' | 'time';
  type: string;
  aggType?: string | undefined;
  phrase: string[];
  /** Synonyms and titles weigh more than words of the member's technical name. */
  weight: number;
}

/** What the caller may see, indexed for matching. Built from `meta(ctx)`, so hidden members never appear. */
export interface PlannerCatalog {
  cubes: MetaCube[];
  entries: LexiconEntry[];
  /** Cube name → its stems (and synonyms' stems). */
  cubeWords: Map<string, string[][]>;
  /** Cube name → its default time dimension (the first time dimension). */
  timeDimension: Map<string, string>;
  members: Map<string, LexiconEntry & { title: string }>;
}

function phrases(text: string | undefined): string[][] {
  if (!text) return [];
  const p = stems(text.replace(/_/g, ' ')).filter((w) => !isStopWord(w));
  return p.length ? [p] : [];
}

/** Index the caller's visible members by the words people use for them. */
export function buildCatalog(cubes: readonly MetaCube[]): PlannerCatalog {
  const entries: LexiconEntry[] = [];
  const cubeWords = new Map<string, string[][]>();
  const timeDimension = new Map<string, string>();
  const members = new Map<string, LexiconEntry & { title: string }>();
  // Views repeat cube members under other names; the planner answers from cubes, so a question
  // never mixes the two.
  for (const cube of cubes.filter((c) => (c as { type?: string }).type !== 'view')) {
    cubeWords.set(cube.name, [
      ...phrases(cube.name),
      ...phrases(cube.title),
      ...(cube.meta?.synonyms ?? []).flatMap((s) => phrases(s)),
    ]);
    const add = (m: MetaMember, kind: LexiconEntry['kind']) => {
      const local = m.name.split('.').slice(1).join('.');
      const base = { member: m.name, cube: cube.name, kind, type: m.type, aggType: m.aggType };
      const all: Array<[string[], number]> = [
        ...phrases(local).map((p): [string[], number] => [p, 1]),
        ...phrases(m.title).map((p): [string[], number] => [p, 1.2]),
        ...phrases(m.shortTitle).map((p): [string[], number] => [p, 1]),
        ...(m.meta?.synonyms ?? []).flatMap((s) => phrases(s)).map((p): [string[], number] => [p, 1.5]),
      ];
      for (const [phrase, weight] of all) entries.push({ ...base, phrase, weight });
      members.set(m.name, {
        ...base,
        phrase: all[0]?.[0] ?? [],
        weight: 1,
        title: m.shortTitle ?? m.title ?? local,
      });
    };
    for (const m of cube.measures) add(m, 'measure');
    for (const d of cube.dimensions) {
      add(d, d.type === 'time' ? 'time' : 'dimension');
      if (d.type === 'time' && !timeDimension.has(cube.name)) timeDimension.set(cube.name, d.name);
    }
  }
  return {
    cubes: cubes.filter((c) => (c as { type?: string }).type !== 'view'),
    entries,
    cubeWords,
    timeDimension,
    members,
  };
}
