import type { TileResult } from './tile-result.ts';

/**
 * RFC 4180 CSV of a tile's (or a drill-down's) rows, header first. Text cells that a spreadsheet
 * would run as a formula (starting with =, +, -, @, tab or CR) get a leading apostrophe.
 *
 * @example toCsv({ columns: [{ key: 'payers.name', title: 'Name', kind: 'dimension', type: 'string' }], rows: [['Medicare']] })
 */
export function toCsv(result: TileResult): string {
  const lines = [result.columns.map((c) => cell(c.key)).join(',')];
  for (const row of result.rows) lines.push(row.map(cell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
