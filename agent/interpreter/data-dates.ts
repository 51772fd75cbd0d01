import type { FlatCubeQuery } from '../../semantic/index.ts';
import { iso } from './time-words.ts';

/**
 * The latest day (ISO) of a date member in the rows the caller may see: `undefined` when it was
 * not looked up (relative periods are then read from today), `null` when it was and none was found.
 */
export type LatestDate = (member: string) => string | null | undefined;

/** A period relative to now, read against the data's own latest date instead. */
export interface DataRange {
  from: string;
  to: string;
  label: string;
}

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';
const RELATIVE = /^(this|last) (?:(\d{1,4}) )?(day|week|month|quarter|year)s?$/;

function periodStart(d: string, unit: Unit): string {
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(5, 7)) - 1;
  if (unit === 'year') return `${y}-01-01`;
  if (unit === 'quarter') return iso(new Date(Date.UTC(y, m - (m % 3), 1)));
  if (unit === 'month') return iso(new Date(Date.UTC(y, m, 1)));
  if (unit === 'week') {
    const x = new Date(`${d}T00:00:00Z`);
    x.setUTCDate(x.getUTCDate() - ((x.getUTCDay() + 6) % 7));
    return iso(x);
  }
  return d;
}

function addUnits(d: string, unit: Unit, n: number): string {
  const x = new Date(`${d}T00:00:00Z`);
  if (unit === 'day') x.setUTCDate(x.getUTCDate() + n);
  else if (unit === 'week') x.setUTCDate(x.getUTCDate() + 7 * n);
  else x.setUTCMonth(x.getUTCMonth() + n * (unit === 'year' ? 12 : unit === 'quarter' ? 3 : 1));
  return iso(x);
}

function dayInWords(d: string): string {
  return new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** A whole period as its grain reads (as `formatAtGrain` does): 2023, 2023-Q2, 2023-03, a day. */
function unitLabel(from: string, unit: Unit): string {
  if (unit === 'year') return from.slice(0, 4);
  if (unit === 'quarter') return `${from.slice(0, 4)}-Q${Math.floor(Number(from.slice(5, 7)) / 3) + 1}`;
  if (unit === 'month') return from.slice(0, 7);
  if (unit === 'week') return `the week of ${dayInWords(from)}`;
  return dayInWords(from);
}

/**
 * A relative period ("last quarter", "this year", "last 12 months", "today") read against the
 * data's latest date when the data stops before today's period: a historic data set asked about
 * "last quarter" means its latest quarter, not one after it ends (which would match nothing and
 * look like an answer). "Last/this/latest unit" is the unit holding the latest date; "last N
 * units" the N units ending with it. Data that reaches into the current period keeps the reading
 * from today (`undefined`). The label says which period was read and why.
 *
 * @example dataRelativeRange('last quarter', '2023-05-20', new Date('2026-12-07'))
 * // { from: '2023-04-01', to: '2023-06-30', label: 'last quarter (2023-Q2, the latest in the data, which ends 20 May 2023)' }
 */
export function dataRelativeRange(relative: string, latest: string, now: Date): DataRange | undefined {
  const text = relative.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = RELATIVE.exec(text);
  const unit: Unit | undefined =
    text === 'today' || text === 'yesterday' ? 'day' : (m?.[3] as Unit | undefined);
  if (!unit) return undefined;
  const today = iso(now);
  const last = latest.slice(0, 10);
  // Data that reaches into today's period is current: "last quarter" is the one before this.
  if (last >= periodStart(today, unit)) return undefined;
  const count = m?.[2] ? Number(m[2]) : 1;
  const end = addUnits(periodStart(last, unit), unit, 1);
  const to = addUnits(end, 'day', -1);
  const from = addUnits(periodStart(last, unit), unit, -(count - 1));
  const partial = to !== last ? `, which ends ${dayInWords(last)}` : '';
  const label =
    count === 1
      ? `${text} (${unitLabel(from, unit)}, the latest in the data${partial})`
      : `${text} (${unitLabel(from, unit)} to ${unitLabel(periodStart(last, unit), unit)}, ending with the latest in the data${partial})`;
  return { from, to, label };
}

/**
 * A semantic query with its relative date ranges read against the data's latest dates (as the
 * interpretation already says): the semantic layer would read them from today.
 *
 * @example anchorQuery(query, (m) => '2023-05-20', now)
 */
export function anchorQuery(query: FlatCubeQuery, latestDate: LatestDate, now: Date): FlatCubeQuery {
  if (!query.timeDimensions?.some((td) => typeof td.dateRange === 'string')) return query;
  return {
    ...query,
    timeDimensions: query.timeDimensions.map((td) => {
      if (typeof td.dateRange !== 'string') return td;
      const latest = latestDate(td.dimension);
      const r = latest ? dataRelativeRange(td.dateRange, latest, now) : undefined;
      return r ? { ...td, dateRange: [r.from, r.to] as [string, string] } : td;
    }),
  };
}

/** The date members a query reads a relative range on (whose latest date the data must tell). */
export function relativeDates(query: FlatCubeQuery): string[] {
  return (query.timeDimensions ?? [])
    .filter((td) => typeof td.dateRange === 'string')
    .map((td) => td.dimension);
}
