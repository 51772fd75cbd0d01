import type { Lexicon, SharedHolder } from './lexicon.ts';

/** A label named in a filter that several records share (meta `unique: false`, two sites of one name). */
export interface SharedLabel {
  /** The label member ("sites.name") and the cube of the records it names. */
  member: string;
  cube: string;
  /** The value said, and the records holding it. */
  value: string;
  holders: ReadonlyArray<SharedHolder>;
}

/**
 * The first filter value that is a label several records share: the model says the label is not
 * unique (meta `unique: false`) and the value index knows which records hold that value. A
 * figure filtered by it would silently add those records up; the caller breaks it down by their
 * key instead, or asks which one is meant.
 *
 * @example sharedLabelIn(lexicon, [{ member: 'sites.name', values: ['Harbor View Practice'] }])
 */
export function sharedLabelIn(
  lexicon: Lexicon,
  filters: ReadonlyArray<{ member: string; values?: readonly unknown[] | undefined }>,
): SharedLabel | undefined {
  for (const f of filters) {
    const m = lexicon.members.get(f.member);
    if (m?.unique !== false) continue;
    for (const value of f.values ?? []) {
      const hit = lexicon.values.find(
        (v) => v.member === f.member && v.value === value && v.holders && v.holders.length > 1,
      );
      if (hit?.holders) return { member: f.member, cube: m.cube, value: hit.value, holders: hit.holders };
    }
  }
  return undefined;
}

/** "2 sites share the name Harbor View Practice": said beside a figure broken down by each of them. */
export function sharedLabelNote(lexicon: Lexicon, s: SharedLabel): string {
  const records = (lexicon.cubes.get(s.cube)?.title ?? s.cube).toLowerCase();
  const label = (lexicon.members.get(s.member)?.title ?? 'label').toLowerCase();
  return `${s.holders.length} ${records} share the ${label} ${s.value}: one row each`;
}

/**
 * The records of a shared label, each with what tells it apart, for asking which one is meant:
 * "330 MOUNT AUBURN ST, CAMBRIDGE (id a5577e5c-…)".
 */
export function sharedLabelChoices(s: SharedLabel): string[] {
  return s.holders.map((h) => (h.detail ? `${h.detail} (id ${h.key})` : `id ${h.key}`));
}
