import { Bool, Float64, Table, Utf8, type Vector, vectorFromArray } from 'apache-arrow';

/**
 * Build an Arrow table from JS column arrays. Each column gets the narrowest faithful Arrow type
 * for the values it actually holds: all numbers → Float64, all booleans → Bool, anything else →
 * Utf8 (objects as JSON). The sync engine then casts to the stream's declared types with checks.
 *
 * @example arrowFromColumns(['id', 'name'], [[1, 2], ['a', null]]).numRows // => 2
 */
export function arrowFromColumns(
  names: readonly string[],
  columns: ReadonlyArray<readonly unknown[]>,
): Table {
  const vectors: Record<string, Vector> = {};
  names.forEach((name, i) => {
    const values = columns[i] ?? [];
    let numbers = true;
    let booleans = true;
    for (const v of values) {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'number') numbers = false;
      if (typeof v !== 'boolean') booleans = false;
      if (!numbers && !booleans) break;
    }
    const nonEmpty = values.some((v) => v !== null && v !== undefined);
    if (nonEmpty && numbers) vectors[name] = vectorFromArray(values as Array<number | null>, new Float64());
    else if (nonEmpty && booleans)
      vectors[name] = vectorFromArray(values as Array<boolean | null>, new Bool());
    else vectors[name] = vectorFromArray(values.map(asText), new Utf8());
  });
  return new Table(vectors);
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
