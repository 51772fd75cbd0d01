import type { TabularResult } from './types.ts';

/** Rows read past a ranking's limit to find the ones tied with its last row. */
export const TIES_LOOKAHEAD = 10;

/**
 * A ranking's rows cut at its limit, and the rows just past it whose ranked value equals the last
 * kept one (told by their first column, their label): "which single payer has the most
 * encounters" answers one row, and says which others have as many.
 *
 * @example cutAtLimit({ columns: [{ name: 'payer' }, { name: 'n' }], rows: [['A', 3], ['B', 3], ['C', 1]] }, 1, 'n')
 * // { rows: [['A', 3]], tied: ['B'] }
 */
export function cutAtLimit(
  r: { columns: ReadonlyArray<{ name: string }>; rows: unknown[][] },
  limit: number,
  rankedBy: string | undefined,
): { rows: unknown[][]; tied: string[] } {
  const rows = r.rows.slice(0, limit);
  const at = r.columns.findIndex((c) => c.name === rankedBy);
  const last = rows[limit - 1]?.[at];
  if (at < 0 || last === null || last === undefined || r.columns.length < 2) return { rows, tied: [] };
  const label = at === 0 ? 1 : 0;
  const tied = r.rows
    .slice(limit)
    .filter((row) => String(row[at]) === String(last))
    .map((row) => String(row[label]));
  return { rows, tied };
}

/** Suppressed-cell markers of the rows kept. */
export function keepSuppressed(
  s: TabularResult['suppressed'],
  limit: number,
): TabularResult['suppressed'] | undefined {
  if (!s) return undefined;
  const rows = s.rows.filter((i) => i < limit);
  return rows.length ? { ...s, rows } : undefined;
}
