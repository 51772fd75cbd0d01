import type { TileResult } from './tile-result.ts';

/**
 * RFC 4180 CSV of a tile's (or a drill-down's) rows, header first. Text cells that a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) get a leading apostrophe.
 *
 * @example toCsv({ columns: [{ key: 'payers.name', title: 'Name', kind: 'dimension', type: 'string' }], rows: [['Medicare']] })
 */
export function toCsv(result: TileResult): string {
  const lines = [result.columns.map((c) => cell(c.key)).join(',')];
  const small = new Set(result.suppressed?.rows ?? []);
  // A suppressed cell says so ("<11"), as published tables do, rather than looking like a zero or a gap.
  const withheld = `<${result.suppressed?.minGroupSize ?? ''}`;
  result.rows.forEach((row, i) => {
    lines.push(
      row
        .map((v, j) =>
          small.has(i) && result.columns[j]?.kind === 'measure' && v === null ? withheld : cell(v),
        )
        .join(','),
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
