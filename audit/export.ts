import type { AuditRecord } from './record.ts';

export type ExportFormat = 'jsonl' | 'csv';

/** The CSV columns, in order. Structured values are JSON inside their cell. */
export const CSV_COLUMNS = [
  'seq',
  'id',
  'time',
  'type',
  'outcome',
  'userId',
  'roles',
  'requestId',
  'clientAddress',
  'route',
  'endpoint',
  'modelId',
  'region',
  'rowsReturned',
  'latencyMs',
  'relations',
  'error',
  'details',
  'question',
  'semanticQuery',
  'sql',
  'prompt',
  'response',
  'result',
  'reason',
  'purged',
  'writer',
  'hash',
] as const;

const PAGE = 1000;

/**
 * Stream records in chain order as JSONL (one record per line, exact) or CSV (RFC 4180; a cell
 * that a spreadsheet would run as a formula gets a leading apostrophe, so use JSONL when every
 * byte matters).
 */
export async function* exportRecords(
  format: ExportFormat,
  page: (afterSeq: number, limit: number) => Promise<AuditRecord[]>,
): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  let after = 0;
  for (;;) {
    const records = await page(after, PAGE);
    if (!records.length) return;
    const lines = records.map((r) => (format === 'jsonl' ? `${JSON.stringify(r)}\n` : csvLine(r)));
    yield lines.join('');
    after = (records[records.length - 1] as AuditRecord).seq;
    if (records.length < PAGE) return;
  }
}

function csvLine(r: AuditRecord): string {
  const row = r as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS.map((c) => csvCell(row[c])).join(',')}\r\n`;
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
