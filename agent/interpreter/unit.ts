/**
 * Units of time a number may be asked in: "average length of stay in days" of a column the model
 * keeps in minutes (meta `unit: minute`) is answered in days, and says so. A unit asked of a
 * number whose unit the model does not give is asked back, never ignored.
 */
import type { Reading } from './interpret.ts';
import type { Lexicon } from './lexicon.ts';
import type { LogicalForm } from './logical-form.ts';

/** Seconds in one of each unit. */
const SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 };

const WORDS: Record<string, string> = {
  second: 'second',
  seconds: 'second',
  sec: 'second',
  secs: 'second',
  minute: 'minute',
  minutes: 'minute',
  min: 'minute',
  mins: 'minute',
  hour: 'hour',
  hours: 'hour',
  hr: 'hour',
  hrs: 'hour',
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
};

export interface AskedUnit {
  unit: string;
  /** The words that ask it ("in hours", "expressed in days"). */
  at: number[];
}

/** "in hours", "as days", "(in days)": the unit a figure is asked in; undefined when none. */
export function unitAsked(r: Reading): AskedUnit | undefined {
  for (const t of r.tokens) {
    const unit = WORDS[t.word];
    const before = r.tokens[t.index - 1]?.word ?? '';
    if (!unit || !['in', 'as'].includes(before) || !r.free().has(t.index)) continue;
    const at = [t.index - 1, t.index];
    if (['expressed', 'measured', 'given', 'shown'].includes(r.tokens[t.index - 2]?.word ?? ''))
      at.push(t.index - 2);
    return { unit, at };
  }
  return undefined;
}

/** How a number kept in one unit of time reads in another: `undefined` when either is unknown. */
export function unitConversion(
  kept: string | undefined,
  asked: string | undefined,
): { from: number; to: number; name: string } | undefined {
  const from = kept ? SECONDS[kept] : undefined;
  const to = asked ? SECONDS[asked] : undefined;
  return from && to && asked ? { from, to, name: unitName(asked) } : undefined;
}

/** The unit's plural, as an answer says it: "hours". */
export function unitName(unit: string): string {
  return `${unit}s`;
}

/**
 * The form answered in the unit asked: a statistic of a number the model keeps in a unit of time,
 * scaled; anything else is a question back naming the words, since it cannot be said in that unit.
 */
export function inUnit(
  form: LogicalForm,
  lexicon: Lexicon,
  asked: AskedUnit,
): LogicalForm | { problem: string } {
  const words = `in ${unitName(asked.unit)}`;
  if (form.kind !== 'distribution' || !form.value)
    return { problem: `I can give that figure only as it is kept, not ${words}.` };
  const m = lexicon.members.get(form.value);
  const kept = m?.unit && SECONDS[m.unit];
  // A count is a number of rows: it has no unit to convert.
  if (!kept || [form, ...(form.also ?? [])].some((s) => s.stat === 'count'))
    return {
      problem: `${m?.title ?? form.value} has no unit of time I know of, so I cannot give it ${words}.`,
    };
  return { ...form, unit: { from: kept, to: SECONDS[asked.unit] as number, name: unitName(asked.unit) } };
}
