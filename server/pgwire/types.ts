import type { FieldDescription } from './protocol.ts';

/** PostgreSQL type OIDs (pg_type.oid) of the types results carry. */
export const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
} as const;

const SIZE: Record<number, number> = {
  [OID.bool]: 1,
  [OID.int2]: 2,
  [OID.int4]: 4,
  [OID.int8]: 8,
  [OID.float4]: 4,
  [OID.float8]: 8,
  [OID.date]: 4,
  [OID.time]: 8,
  [OID.timestamp]: 8,
  [OID.timestamptz]: 8,
  [OID.interval]: 16,
  [OID.uuid]: 16,
};

/**
 * The PostgreSQL type a DuckDB result column is sent as. Integers that fit travel as their own
 * width; unsigned and 128-bit integers as int8 or numeric; nested types as text (JSON).
 *
 * @example pgTypeOf('DECIMAL(18,2)') // => 1700 (numeric)
 */
export function pgTypeOf(duckdbType: string): number {
  const t = duckdbType.toUpperCase();
  if (t === 'BOOLEAN') return OID.bool;
  if (t === 'TINYINT' || t === 'SMALLINT' || t === 'UTINYINT') return OID.int2;
  if (t === 'INTEGER' || t === 'USMALLINT') return OID.int4;
  if (t === 'BIGINT' || t === 'UINTEGER') return OID.int8;
  if (t === 'UBIGINT' || t === 'HUGEINT' || t === 'UHUGEINT' || t.startsWith('DECIMAL')) return OID.numeric;
  if (t === 'DOUBLE') return OID.float8;
  if (t === 'FLOAT') return OID.float4;
  if (t === 'DATE') return OID.date;
  if (t === 'TIME') return OID.time;
  if (t === 'TIMESTAMP' || t.startsWith('TIMESTAMP_') || t === 'TIMESTAMP_NS') return OID.timestamp;
  if (t === 'TIMESTAMP WITH TIME ZONE') return OID.timestamptz;
  if (t === 'INTERVAL') return OID.interval;
  if (t === 'UUID') return OID.uuid;
  if (t === 'BLOB') return OID.bytea;
  if (t === 'JSON') return OID.json;
  return OID.text;
}

/**
 * A result column's name as PostgreSQL would give it: an unaliased function call is named after
 * the function (DuckDB names it after the whole expression).
 *
 * @example pgColumnName('count_star()') // => 'count'
 */
export function pgColumnName(name: string): string {
  const m = /^"?([A-Za-z_][A-Za-z0-9_]*)"?\(.*\)$/s.exec(name);
  if (!m) return name;
  return m[1] === 'count_star' ? 'count' : (m[1] as string);
}

/** The row description of a result's columns. */
export function fieldsOf(columns: ReadonlyArray<{ name: string; type: string }>): FieldDescription[] {
  return columns.map((c) => {
    const typeOid = pgTypeOf(c.type);
    return { name: pgColumnName(c.name), typeOid, typeSize: SIZE[typeOid] ?? -1 };
  });
}

/** A value (as the lake returns it: JSON-safe) in PostgreSQL's text format for `typeOid`. */
export function textValue(value: unknown, typeOid: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Number.POSITIVE_INFINITY) return 'Infinity';
    if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') {
    if (typeOid === OID.bytea) return `\\x${Buffer.from(value, 'binary').toString('hex')}`;
    return value;
  }
  if (typeOid === OID.interval && typeof value === 'object') {
    const v = value as { months?: number; days?: number; micros?: string | number };
    return intervalText(Number(v.months ?? 0), Number(v.days ?? 0), Number(v.micros ?? 0));
  }
  return JSON.stringify(value);
}

function intervalText(months: number, days: number, micros: number): string {
  const parts: string[] = [];
  const years = Math.trunc(months / 12);
  const mons = months % 12;
  if (years) parts.push(`${years} year${Math.abs(years) === 1 ? '' : 's'}`);
  if (mons) parts.push(`${mons} mon${Math.abs(mons) === 1 ? '' : 's'}`);
  if (days) parts.push(`${days} day${Math.abs(days) === 1 ? '' : 's'}`);
  if (micros || parts.length === 0) {
    const sign = micros < 0 ? '-' : '';
    const abs = Math.abs(micros);
    const h = Math.floor(abs / 3_600_000_000);
    const m = Math.floor((abs % 3_600_000_000) / 60_000_000);
    const s = (abs % 60_000_000) / 1_000_000;
    const pad = (n: number) => String(n).padStart(2, '0');
    const sec = Number.isInteger(s) ? pad(s) : s.toFixed(6).padStart(9, '0').replace(/0+$/, '');
    parts.push(`${sign}${pad(h)}:${pad(m)}:${sec}`);
  }
  return parts.join(' ');
}

/** Decode a binary-format parameter of a known type to text; `undefined` when the type is not known. */
export function binaryParamText(buf: Buffer, typeOid: number): string | undefined {
  switch (typeOid) {
    case OID.bool:
      return buf[0] ? 'true' : 'false';
    case OID.int2:
      return String(buf.readInt16BE(0));
    case OID.int4:
      return String(buf.readInt32BE(0));
    case OID.int8:
      return buf.readBigInt64BE(0).toString();
    case OID.float4:
      return String(buf.readFloatBE(0));
    case OID.float8:
      return String(buf.readDoubleBE(0));
    case OID.text:
    case OID.varchar:
    case OID.unknown:
      return buf.toString('utf8');
    default:
      return undefined;
  }
}
