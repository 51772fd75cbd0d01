/** How a column's values are shown: currency, percent, numbers with separators, dates. */
export interface ColumnFormat {
  type?: string;
  format?: string | undefined;
  kind?: string;
}

const number = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const currency = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  maximumFractionDigits: 0,
});
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/**
 * A cell as text. Time buckets show as their period (a year as "2015"), timestamps as dates.
 *
 * @example formatValue(0.42, { format: 'percent' }) // "42%"
 */
export function formatValue(value: unknown, col: ColumnFormat = {}, granularity?: string): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (col.format === 'currency') return currency.format(value);
    if (col.format === 'percent') return percent.format(value);
    return number.format(value);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    if (granularity === 'year') return value.slice(0, 4);
    if (granularity === 'month' || granularity === 'quarter') return value.slice(0, 7);
    if (granularity) return value.slice(0, 10);
    return value.endsWith('T00:00:00.000') ? value.slice(0, 10) : value.slice(0, 16).replace('T', ' ');
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The granularity in a time bucket key (`encounters.start.year` → `year`). */
export function granularityOf(key: string): string | undefined {
  const last = key.split('.').pop();
  return last && ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second'].includes(last)
    ? last
    : undefined;
}
