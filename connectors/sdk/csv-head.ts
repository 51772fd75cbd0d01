import { open } from 'node:fs/promises';

/**
 * The first records of a CSV file (RFC 4180 quoting), read from its first `maxBytes`: enough to
 * learn the header and sniff value shapes without reading the whole file.
 *
 * @example const { records, bytesPerRecord } = await readCsvHead('patients.csv');
 */
export async function readCsvHead(
  path: string,
  maxBytes = 64 * 1024,
): Promise<{ records: string[][]; bytesPerRecord: number; size: number }> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    const buf = Buffer.alloc(Math.min(maxBytes, size));
    await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8');
    const records: string[][] = [];
    let field = '';
    let row: string[] = [];
    let quoted = false;
    let consumed = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        row.push(field);
        field = '';
      } else if (ch === '\n' || ch === '\r') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        row.push(field);
        records.push(row);
        row = [];
        field = '';
        consumed = i + 1;
      } else field += ch;
    }
    // A file shorter than the window ends its last record without a newline.
    if (buf.length === size && (field !== '' || row.length > 0)) {
      row.push(field);
      records.push(row);
      consumed = text.length;
    }
    const dataRecords = Math.max(1, records.length - 1);
    return { records, bytesPerRecord: consumed / dataRecords, size };
  } finally {
    await fh.close();
  }
}

/**
 * Data records in a CSV file with a header line, counting newlines inside quoted fields as part
 * of their record (what `wc -l` gets wrong).
 *
 * @example await countCsvRecords('encounters.csv') // => 7776
 */
export async function countCsvRecords(path: string): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    let quoted = false;
    let records = 0;
    let last = 10;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = buf[i]!;
        if (b === 34) quoted = !quoted;
        else if (b === 10 && !quoted) records++;
        last = b;
      }
    }
    if (last !== 10) records++;
    return Math.max(0, records - 1);
  } finally {
    await fh.close();
  }
}
