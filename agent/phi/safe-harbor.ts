import { RESTRICTED_ZIP3 as RESTRICTED_ZIP3_LIST } from '../../core/index.ts';
/**
 * Safe Harbor de-identification (45 CFR 164.514(b)(2)) of result rows, plus small-cell suppression
 * of counts. Column treatment comes from what the semantic layer knows (PHI tags, roles) and, when it
 * says nothing, from the column's name and type — erring towards removal.
 */
import type { IdentifierMatcher } from './identifiers.ts';

/** What a column holds, when the semantic layer knows. */
export type ColumnRole =
  | 'name'
  | 'ssn'
  | 'mrn'
  | 'phone'
  | 'fax'
  | 'email'
  | 'address'
  | 'geo'
  | 'url'
  | 'ip'
  | 'identifier'
  | 'free_text'
  | 'zip'
  | 'date'
  | 'birth_date'
  | 'age'
  | 'count'
  | 'value';

/**
 * The semantic layer's Safe Harbor tags (`meta.safe_harbor` on a member) as the boundary's column
 * roles, for every path that releases rows outside the caller's session (model, MCP client, eval).
 */
export const ROLE_OF_SAFE_HARBOR_TAG: Readonly<Record<string, ColumnRole>> = {
  name: 'name',
  ssn: 'ssn',
  licence_number: 'identifier',
  passport_number: 'identifier',
  record_key: 'identifier',
  address: 'address',
  geography: 'geo',
  zip: 'zip',
  date: 'date',
  age: 'age',
};

/** A result column as the boundary sees it: lake PHI tags (`direct`/`quasi`/`none`) and a role. */
export interface BoundaryColumn {
  name: string;
  type: string;
  phi?: 'direct' | 'quasi' | 'none' | undefined;
  role?: ColumnRole | undefined;
}

/** How one column is treated before rows may leave. */
export type Treatment = 'remove' | 'year' | 'birth_year' | 'zip3' | 'age' | 'count' | 'keep';

const REMOVE_ROLES = new Set<ColumnRole>([
  'name',
  'ssn',
  'mrn',
  'phone',
  'fax',
  'email',
  'address',
  'geo',
  'url',
  'ip',
  'identifier',
  'free_text',
]);

const ROLE_TREATMENT: Partial<Record<ColumnRole, Treatment>> = {
  zip: 'zip3',
  date: 'year',
  birth_date: 'birth_year',
  age: 'age',
  count: 'count',
  value: 'keep',
};

// Words in a column name that mark a Safe Harbor identifier: names, contact details, geography below
// state level, and record, account, licence, vehicle and device numbers.
const REMOVE_WORDS =
  /^(name|names|firstname|lastname|fullname|first|last|given|family|middle|maiden|surname|prefix|suffix|ssn|social|mrn|medical|record|phone|telephone|mobile|cell|fax|email|mail|address|addr|street|line1|line2|city|county|town|lat|latitude|lon|lng|longitude|ip|url|website|account|acct|licence|license|certificate|vin|plate|device|serial|passport|beneficiary|member|policy|id|uuid|guid|patient|person)$/;
const ZIP_WORDS = /^(zip|zipcode|postal|postcode)$/;
const BIRTH_WORDS = /^(birth|birthdate|dob|birthday)$/;
const DATE_WORDS = /^(date|timestamp|datetime|at|on|start|stop|end|death|deathdate|admitted|discharged)$/;
const COUNT_WORDS = /^(count|counts|n|num|number|cnt|patients|encounters|visits)$/;

/** Column name → lower-case words: `Patient.FirstName` → ['patient', 'first', 'name', 'firstname']. */
function words(name: string): string[] {
  const parts = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const local = name.split('.').pop() ?? name;
  return [...parts, local.toLowerCase().replace(/[^a-z0-9]/g, '')];
}

const isDateType = (type: string) => /^(date|timestamp|time|datetime)/i.test(type.trim());
const isIntegerType = (type: string) =>
  /^(tinyint|smallint|integer|int|bigint|hugeint|ubigint|uinteger|usmallint|utinyint|int\d|number)/i.test(
    type.trim(),
  );

/**
 * Decide how a column is treated. Explicit roles win; a `direct` tag removes; otherwise the name
 * and type decide. A `none` tag only stops removal by name: dates, ZIPs, ages and counts are still
 * generalised, since Safe Harbor covers them whatever a tag says.
 *
 * @example classifyColumn({ name: 'patients.birthdate', type: 'DATE' }) // => 'birth_year'
 */
export function classifyColumn(column: BoundaryColumn): Treatment {
  if (column.role) return REMOVE_ROLES.has(column.role) ? 'remove' : (ROLE_TREATMENT[column.role] ?? 'keep');
  if (column.phi === 'direct') return 'remove';
  const w = words(column.name);
  if (w.some((x) => ZIP_WORDS.test(x))) return 'zip3';
  if (w.some((x) => BIRTH_WORDS.test(x))) return 'birth_year';
  if (w.includes('age') && !isDateType(column.type)) return 'age';
  if (isDateType(column.type) || w.some((x) => DATE_WORDS.test(x))) return 'year';
  if (column.phi !== 'none' && w.some((x) => REMOVE_WORDS.test(x) || /(^|_)id$/.test(x))) return 'remove';
  if (isIntegerType(column.type) && w.some((x) => COUNT_WORDS.test(x))) return 'count';
  // A quasi-identifier we cannot generalise is removed rather than guessed at.
  if (column.phi === 'quasi') return 'remove';
  return 'keep';
}

/** 3-digit ZIP areas with 20,000 people or fewer: shown as 000. */
const RESTRICTED_ZIP3 = new Set(RESTRICTED_ZIP3_LIST);

/** The smallest count shown as is; below it a count is shown as "<11". */
export const SMALL_CELL_MIN = 11;

function yearOf(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getUTCFullYear();
  const m = /^\s*(\d{4})(?:\D|$)/.exec(String(value));
  return m ? Number(m[1]) : null;
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

/**
 * Transform one value under a treatment. Returns `undefined` only for `remove`.
 *
 * @example transformValue('count', 7, { now: new Date() }) // => '<11'
 */
export function transformValue(treatment: Treatment, value: unknown, options: { now: Date }): unknown {
  if (value === null || value === undefined) return treatment === 'remove' ? undefined : null;
  switch (treatment) {
    case 'remove':
      return undefined;
    case 'year':
      return yearOf(value);
    case 'birth_year': {
      const year = yearOf(value);
      if (year === null) return null;
      // A birth year that implies an age over 89 is itself an identifier: group it.
      const cutoff = options.now.getUTCFullYear() - 90;
      return year <= cutoff ? `${cutoff} or earlier` : year;
    }
    case 'zip3': {
      const digits = typeof value === 'number' ? String(value).padStart(5, '0') : String(value).trim();
      const m = /^(\d{3})\d{2}(?:-\d{4})?$/.exec(digits);
      if (!m) return null;
      return RESTRICTED_ZIP3.has(m[1]!) ? '000' : m[1]!;
    }
    case 'age': {
      const n = numberOf(value);
      if (n !== null) return n > 89 ? '90+' : n;
      // An age band ("80-89", "90-94"): anything starting at 90 or above becomes 90+.
      const band = /^\s*(\d+)/.exec(String(value));
      if (!band) return null;
      return Number(band[1]) > 89 ? '90+' : String(value);
    }
    case 'count': {
      const n = numberOf(value);
      if (n === null) return value;
      return n >= 0 && n < SMALL_CELL_MIN ? `<${SMALL_CELL_MIN}` : n;
    }
    case 'keep':
      return value;
  }
}

/** Result rows after Safe Harbor: removed columns are gone from `columns` and from every row. */
export interface DeidentifiedResult {
  columns: Array<{ name: string; type: string; treatment: Exclude<Treatment, 'remove'> }>;
  rows: unknown[][];
  removedColumns: string[];
  suppressedCells: number;
}

/**
 * Apply Safe Harbor to a result: remove identifier columns, dates to year, ZIP to 3 digits, ages
 * over 89 as "90+", counts under 11 as "<11", and any identifier left inside kept text redacted.
 *
 * @example
 * deidentifyRows([{ name: 'n', type: 'BIGINT', role: 'count' }], [[3n]], { matcher, now: new Date() }).rows // => [['<11']]
 */
export function deidentifyRows(
  columns: readonly BoundaryColumn[],
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  options: { matcher: IdentifierMatcher; now: Date },
): DeidentifiedResult {
  const treatments = columns.map(classifyColumn);
  const kept = columns.flatMap((c, i) => {
    const t = treatments[i]!;
    return t === 'remove' ? [] : [{ index: i, column: c, treatment: t }];
  });
  let suppressedCells = 0;
  const out = rows.map((row) =>
    kept.map(({ index, treatment }) => {
      const before = toPlain(row[index]);
      const after = transformValue(treatment, before, options);
      if (treatment === 'count' && typeof after === 'string') suppressedCells++;
      return treatment === 'keep' ? redactDeep(after, options.matcher) : after;
    }),
  );
  return {
    columns: kept.map(({ column, treatment }) => ({
      name: column.name,
      type: column.type,
      treatment: treatment as Exclude<Treatment, 'remove'>,
    })),
    rows: out,
    removedColumns: columns.filter((_, i) => treatments[i] === 'remove').map((c) => c.name),
    suppressedCells,
  };
}

/** Identifiers inside kept text, including text nested in lists and structs, are redacted. */
function redactDeep(value: unknown, matcher: IdentifierMatcher): unknown {
  if (typeof value === 'string') return matcher.redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, matcher));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, matcher)]));
  }
  return value;
}

/**
 * A database value as plain JSON-able data: bigints as numbers when exact, dates as ISO strings,
 * DuckDB value objects through their string form, bytes withheld.
 *
 * @example toPlain(12n) // => 12
 */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return '[binary]';
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const s = String(value);
    if (s !== '[object Object]') return s;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlain(v)]));
  }
  return String(value);
}
