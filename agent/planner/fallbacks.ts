import type { PlannerCatalog } from './catalog.ts';
import type { FlatCubeQuery, Plan } from './query.ts';
import type { Token } from './tokens.ts';

/**
 * "how many women have hypertension": what is counted is named by a value ("women" → patients). Count
 * that cube's rows — through another filtered cube's distinct count of them when there is one
 * (conditions' distinct patients), so the other filter applies per person, not per row.
 */
export function countedEntity(
  counted: readonly number[] | undefined,
  valueAt: ReadonlyMap<number, string>,
  filterCubes: ReadonlySet<string>,
  catalog: PlannerCatalog,
): string | undefined {
  const dimension = counted?.map((i) => valueAt.get(i)).find(Boolean);
  if (!dimension) return undefined;
  const entity = dimension.split('.')[0] as string;
  const entityWords = new Set((catalog.cubeWords.get(entity) ?? []).map((p) => p.join(' ')));
  for (const other of filterCubes) {
    if (other === entity) continue;
    const distinct = catalog.entries.find(
      (e) =>
        e.cube === other &&
        e.kind === 'measure' &&
        e.aggType === 'countDistinct' &&
        entityWords.has(e.phrase.join(' ')),
    );
    if (distinct) return distinct.member;
  }
  return catalog.countMeasure.get(entity);
}

/**
 * Asks one semantic query cannot answer — a share of a count, a threshold on a per-record count —
 * get a question back, not a confident number that answers something else.
 */
export function unsupportedAsk(
  question: string,
  intent: { ratio: boolean },
  aggType: string | undefined,
): string | undefined {
  if (intent.ratio && aggType !== 'number') {
    return 'The model has no measure for that share or rate. Ask for the counts (for example by the category) and compare them?';
  }
  if (/\b(?:more|fewer|less|greater) than \d+|\bat (?:least|most) \d+/i.test(question)) {
    return 'I cannot filter on a count per record (such as patients with more than N visits) yet. Ask for the distribution instead?';
  }
  return undefined;
}

/** No measure: ask what to measure when something was recognised; otherwise it is out of scope. */
export function unanswered(
  tokens: readonly Token[],
  catalog: PlannerCatalog,
  seen: {
    filters: NonNullable<FlatCubeQuery['filters']>;
    groups: number[][];
    time: { dateRange?: unknown; granularity?: unknown };
    intent: { top?: unknown; count: boolean; list: boolean };
    named: ReadonlyMap<string, number[]>;
  },
): Plan {
  const leftover = tokens.filter((t) => t.content && !t.used).length;
  const structural =
    seen.groups.length > 0 ||
    Boolean(seen.time.granularity) ||
    Boolean(seen.intent.top) ||
    seen.intent.count ||
    seen.named.size > 0;
  const recognised = structural || seen.filters.length > 0 || Boolean(seen.time.dateRange);
  // Words nothing explains ("weather", or "patients" for a caller who cannot see patients) mean the
  // question is about something outside what this caller may query.
  if (!recognised || leftover > 0) {
    return {
      kind: 'out_of_scope',
      message: `I can only answer questions about the data in the model: ${catalog.cubes
        .map((c) => c.title ?? c.name)
        .slice(0, 12)
        .join(', ')}.`,
    };
  }
  const cubes = [
    ...new Set([...seen.filters.map((f) => f.member.split('.')[0] as string), ...seen.named.keys()]),
  ];
  const options = (cubes.length ? cubes : catalog.cubes.map((c) => c.name).slice(0, 5))
    .map((c) => catalog.countMeasure.get(c))
    .filter((m): m is string => Boolean(m));
  return {
    kind: 'clarify',
    message: 'What would you like to measure?',
    options: options.map((m) => ({
      label: catalog.members.get(m)?.title ?? m,
      question: catalog.members.get(m)?.title ?? m,
    })),
  };
}

/** Capitalised words (names, places) that matched nothing: answering without them would answer another question. */
export function unresolvedNames(
  question: string,
  tokens: readonly Token[],
  explained: ReadonlySet<number>,
): string[] {
  const capitalised = new Set(
    question
      .split(/[^A-Za-z0-9'’-]+/)
      .slice(1)
      .filter((w) => /^[A-Z][A-Za-z]{2,}/.test(w))
      .map((w) => w.toLowerCase()),
  );
  return tokens
    .filter((t, i) => capitalised.has(t.word) && t.content && !t.used && !explained.has(i))
    .map((t) => t.word);
}
