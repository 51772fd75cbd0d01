// Text forms of the export's values, written tens of millions of times for a large export: the
// same characters as `Date.prototype.toISOString` and `Number.prototype.toFixed`, without a Date
// object per value (building one and formatting it took a third of the generator's time).

const DAY = 86_400_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** 'YYYY-MM-DD' of a day number since 1970-01-01 (Hinnant's civil_from_days, proleptic Gregorian). */
function civilDate(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${PAD2[m]}-${PAD2[d]}`;
}

/**
 * Synthea's timestamp form, `2021-03-04T10:11:12Z`: `toISOString()` to the second. A fractional
 * time value is truncated toward zero first, as `new Date(ms)` does.
 *
 * @example isoSecond(0) === '1970-01-01T00:00:00Z'
 */
export function isoSecond(ms: number): string {
  const t = Math.trunc(ms);
  const day = Math.floor(t / DAY);
  let s = Math.floor((t - day * DAY) / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return `${civilDate(day)}T${PAD2[h]}:${PAD2[m]}:${PAD2[s - m * 60]}Z`;
}

/**
 * The date part of `toISOString()`: `2021-03-04`.
 *
 * @example isoDate(0) === '1970-01-01'
 */
export function isoDate(ms: number): string {
  return civilDate(Math.floor(Math.trunc(ms) / DAY));
}

/** An amount with two decimals, as `toFixed(2)` writes it. */
export const money = (n: number): string => n.toFixed(2);
