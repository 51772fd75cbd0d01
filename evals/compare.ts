/**
 * Execution accuracy: does the answer's result set equal the gold one? Columns are matched by their
 * values, not their names (the interpreter may call a count `encounters.count`, the gold SQL `n`); rows
 * are compared as multisets unless the question orders them; numbers within a relative tolerance.
 * The answer may carry extra columns (a list with more attributes than asked still answers).
 * A column may also match in an equivalent form (`columnViews`): a share as a fraction or as a
 * percent, a period as its start date or as its year, quarter or month number.
 */

export type Cell = string | number | null;

/** How to compare: tolerance, whether order matters, or top-N against a full ranking. */
export interface CompareOptions {
  /** Relative tolerance for numbers (0.001 = 0.1%). */
  tolerance: number;
  ordered?: boolean | undefined;
  /** The gold rows are the full ranking (its last column the ranked value); the answer must be its first `n`. */
  top?: { n: number; direction: 'asc' | 'desc' } | undefined;
}

export interface Comparison {
  ok: boolean;
  /** Why not, for the report (names no values beyond what the report already shows). */
  reason?: string;
}

const NUMERIC = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** One cell in a comparable form: numbers as numbers, timestamps as ISO dates (time kept unless midnight). */
export function normalizeCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return normalizeCell(v.toISOString());
  if (typeof v === 'string') {
    const s = v.trim();
    if (NUMERIC.test(s)) return Number(s);
    const t = TIMESTAMP.exec(s);
    if (t) {
      const time = (t[2] ?? '00:00').padEnd(8, ':00').slice(0, 8);
      return time === '00:00:00' ? (t[1] as string) : `${t[1]}T${time}`;
    }
    return s;
  }
  return JSON.stringify(v);
}

export function normalizeRows(rows: ReadonlyArray<ReadonlyArray<unknown>>): Cell[][] {
  return rows.map((r) => r.map(normalizeCell));
}

/** Whether two cells are equal: numbers within the relative tolerance, anything else exactly. */
export function cellsEqual(a: Cell, b: Cell, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    return Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b)) + 1e-9;
  }
  return a === b;
}

function order(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : 1;
}

function column(rows: Cell[][], i: number): Cell[] {
  return rows.map((r) => r[i] ?? null);
}

function sameMultiset(a: Cell[], b: Cell[], tolerance: number): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort(order);
  const y = [...b].sort(order);
  return x.every((v, i) => cellsEqual(v, y[i] ?? null, tolerance));
}

function rowsEqual(a: Cell[], b: Cell[], tolerance: number): boolean {
  return a.length === b.length && a.every((v, i) => cellsEqual(v, b[i] ?? null, tolerance));
}

/** Each expected row matched to a distinct actual row (greedy is exact here: equality is transitive enough within tolerance). */
function sameRowMultiset(expected: Cell[][], actual: Cell[][], tolerance: number): boolean {
  if (expected.length !== actual.length) return false;
  const used = new Array<boolean>(actual.length).fill(false);
  for (const e of expected) {
    const j = actual.findIndex((a, k) => !used[k] && rowsEqual(e, a, tolerance));
    if (j < 0) return false;
    used[j] = true;
  }
  return true;
}

/** Injective maps of `m` expected columns onto `k` actual columns, each drawn from its candidates. */
function* assignments(candidates: number[][], taken: Set<number> = new Set(), i = 0): Generator<number[]> {
  if (i === candidates.length) {
    yield [];
    return;
  }
  for (const j of candidates[i] ?? []) {
    if (taken.has(j)) continue;
    taken.add(j);
    for (const rest of assignments(candidates, taken, i + 1)) yield [j, ...rest];
    taken.delete(j);
  }
}

function project(rows: Cell[][], cols: number[]): Cell[][] {
  return rows.map((r) => cols.map((c) => r[c] ?? null));
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T|$)/;

/**
 * Each answer column, and the equivalent forms it may be matched in: a numeric column also ×100
 * and ÷100 (a share as a fraction or a percent: 0.4775 with a percent format is 47.75%), a date
 * column also as the year, quarter and month number of each date (the bucket "2023-04-01" of a
 * quarterly breakdown is quarter 2 of 2023). Only whole columns are viewed, never single cells.
 */
function columnViews(rows: Cell[][]): Cell[][] {
  const width = rows[0]?.length ?? 0;
  const views: Array<(r: Cell[]) => Cell> = [];
  for (let j = 0; j < width; j++) {
    views.push((r) => r[j] ?? null);
    const values = column(rows, j).filter((v) => v !== null);
    if (!values.length) continue;
    if (values.every((v) => typeof v === 'number')) {
      views.push((r) => (typeof r[j] === 'number' ? (r[j] as number) * 100 : null));
      views.push((r) => (typeof r[j] === 'number' ? (r[j] as number) / 100 : null));
    } else if (values.every((v) => typeof v === 'string' && DATE.test(v))) {
      const part = (r: Cell[], i: number) => {
        const m = typeof r[j] === 'string' ? DATE.exec(r[j] as string) : null;
        return m ? Number(m[i]) : null;
      };
      views.push((r) => part(r, 1));
      views.push((r) => {
        const month = part(r, 2);
        return month === null ? null : Math.ceil(month / 3);
      });
      views.push((r) => part(r, 2));
    }
  }
  return rows.map((r) => views.map((v) => v(r)));
}

/** An empty result and a single row of nulls say the same thing ("nothing matched"). */
function emptyish(rows: Cell[][]): boolean {
  return rows.length === 0 || (rows.length === 1 && (rows[0] ?? []).every((v) => v === null));
}

/**
 * Compare an answer with the gold result.
 *
 * @example compareResults([[110]], [[ '110' ]], { tolerance: 0 }) // { ok: true }
 */
export function compareResults(
  expectedRaw: ReadonlyArray<ReadonlyArray<unknown>>,
  actualRaw: ReadonlyArray<ReadonlyArray<unknown>>,
  options: CompareOptions,
): Comparison {
  const expected = normalizeRows(expectedRaw);
  const answered = normalizeRows(actualRaw);
  const tol = options.tolerance;
  if (emptyish(expected) && emptyish(answered)) return { ok: true };
  const width = expected[0]?.length ?? 0;
  const answeredWidth = answered[0]?.length ?? 0;
  const actual = columnViews(answered);
  const actualWidth = actual[0]?.length ?? 0;
  if (options.top) return compareTop(expected, actual, options.top, tol);
  if (expected.length !== actual.length) {
    return { ok: false, reason: `expected ${expected.length} row(s), got ${actual.length}` };
  }
  if (actualWidth < width) return { ok: false, reason: `expected ${width} column(s), got ${answeredWidth}` };
  const candidates = Array.from({ length: width }, (_, i) =>
    Array.from({ length: actualWidth }, (_, j) => j).filter((j) =>
      sameMultiset(column(expected, i), column(actual, j), tol),
    ),
  );
  const missing = candidates.findIndex((c) => c.length === 0);
  if (missing >= 0)
    return { ok: false, reason: `no column of the answer has the values of expected column ${missing + 1}` };
  for (const cols of assignments(candidates)) {
    const projected = project(actual, cols);
    const ok = options.ordered
      ? projected.every((r, i) => rowsEqual(expected[i] ?? [], r, tol))
      : sameRowMultiset(expected, projected, tol);
    if (ok) return { ok: true };
  }
  return {
    ok: false,
    reason: options.ordered
      ? 'the rows are not in the expected order'
      : 'the columns match but the rows pair differently',
  };
}

/** Top N: the answer's rows are the gold ranking's first N, ties at the cut in any order, ranked. */
function compareTop(
  ranking: Cell[][],
  actual: Cell[][],
  top: { n: number; direction: 'asc' | 'desc' },
  tol: number,
): Comparison {
  const width = ranking[0]?.length ?? 0;
  const rankCol = width - 1;
  const better = (a: Cell, b: Cell) => (top.direction === 'desc' ? order(a, b) : order(b, a));
  const sorted = [...ranking].sort((a, b) => better(b[rankCol] ?? null, a[rankCol] ?? null));
  const head = sorted.slice(0, top.n);
  if (actual.length !== head.length) {
    return { ok: false, reason: `expected the top ${head.length} row(s), got ${actual.length}` };
  }
  const cut = head[head.length - 1]?.[rankCol] ?? null;
  // Rows that could stand in the top N: everything ranked at or above the cut.
  const eligible = sorted.filter(
    (r) => better(r[rankCol] ?? null, cut) >= 0 || cellsEqual(r[rankCol] ?? null, cut, tol),
  );
  const actualWidth = actual[0]?.length ?? 0;
  if (actualWidth < width) return { ok: false, reason: `expected ${width} column(s), got ${actualWidth}` };
  const candidates = Array.from({ length: width }, (_, i) =>
    Array.from({ length: actualWidth }, (_, j) => j).filter((j) =>
      column(actual, j).every((v) => column(eligible, i).some((e) => cellsEqual(e, v, tol))),
    ),
  );
  const missing = candidates.findIndex((c) => c.length === 0);
  if (missing >= 0)
    return { ok: false, reason: `no column of the answer has the values of expected column ${missing + 1}` };
  for (const cols of assignments(candidates)) {
    const projected = project(actual, cols);
    const ranks = column(projected, rankCol);
    if (!sameMultiset(ranks, column(head, rankCol), tol)) continue;
    // Ranked: each row no better than the one before it.
    if (
      ranks.some(
        (v, i) => i > 0 && better(v, ranks[i - 1] ?? null) > 0 && !cellsEqual(v, ranks[i - 1] ?? null, tol),
      )
    )
      continue;
    const used = new Array<boolean>(eligible.length).fill(false);
    const fits = projected.every((r) => {
      const k = eligible.findIndex((e, x) => !used[x] && rowsEqual(e, r, tol));
      if (k < 0) return false;
      used[k] = true;
      return true;
    });
    if (fits) return { ok: true };
  }
  return { ok: false, reason: `the rows are not the top ${top.n} of the gold ranking, in rank order` };
}
