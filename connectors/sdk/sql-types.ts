/**
 * Map a source database's type name (PostgreSQL `format_type`, MySQL `COLUMN_TYPE`) to the DuckDB
 * type its lake column gets. Anything without a faithful DuckDB twin (arrays, JSON, bytea, enums,
 * intervals) lands as VARCHAR text, which never loses information.
 *
 * @example lakeTypeFor('numeric(12,2)') // => 'DECIMAL(12,2)'
 */
export function lakeTypeFor(sourceType: string): string {
  const t = sourceType.trim().toLowerCase();
  if (t.endsWith('[]')) return 'VARCHAR';
  const unsigned = /\bunsigned\b/.test(t);
  const base = t.replace(/\s*unsigned\b/, '').replace(/\s+zerofill\b/, '');
  if (/^(tinyint\(1\)|boolean|bool|bit\(1\))$/.test(base)) return 'BOOLEAN';
  if (/^(smallint|int2|smallserial|tinyint)(\(\d+\))?$/.test(base)) return unsigned ? 'INTEGER' : 'SMALLINT';
  if (/^(integer|int|int4|serial|mediumint)(\(\d+\))?$/.test(base)) return unsigned ? 'BIGINT' : 'INTEGER';
  if (/^(bigint|int8|bigserial)(\(\d+\))?$/.test(base)) return unsigned ? 'HUGEINT' : 'BIGINT';
  if (/^(real|float4|float)(\(\d+(,\d+)?\))?$/.test(base)) return 'FLOAT';
  if (/^(double precision|double|float8)(\(\d+,\d+\))?$/.test(base)) return 'DOUBLE';
  const dec = /^(numeric|decimal)\((\d+)(?:,\s*(\d+))?\)$/.exec(base);
  if (dec) return Number(dec[2]) <= 38 ? `DECIMAL(${dec[2]},${dec[3] ?? 0})` : 'DOUBLE';
  if (/^(numeric|decimal|money)$/.test(base)) return 'DOUBLE';
  if (base === 'date') return 'DATE';
  if (/^(timestamp|datetime)(\(\d\))?( without time zone)?$/.test(base)) return 'TIMESTAMP';
  if (/^timestamp(\(\d\))? with time zone$|^timestamptz$/.test(base)) return 'TIMESTAMPTZ';
  if (/^time(\(\d\))?( without time zone)?$/.test(base)) return 'TIME';
  return 'VARCHAR';
}
