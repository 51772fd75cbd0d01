import { describe, expect, it } from 'vitest';
import { fieldsOf, OID, pgColumnName, pgTypeOf, textValue } from './types.ts';

describe('PostgreSQL types of DuckDB columns', () => {
  it('maps each DuckDB type to its PostgreSQL OID', () => {
    expect(
      [
        'BIGINT',
        'DECIMAL(18,2)',
        'HUGEINT',
        'DOUBLE',
        'VARCHAR',
        'DATE',
        'TIMESTAMP',
        'TIMESTAMP WITH TIME ZONE',
        'BOOLEAN',
        'INTEGER',
        'VARCHAR[]',
      ].map(pgTypeOf),
    ).toEqual([
      OID.int8,
      OID.numeric,
      OID.numeric,
      OID.float8,
      OID.text,
      OID.date,
      OID.timestamp,
      OID.timestamptz,
      OID.bool,
      OID.int4,
      OID.text,
    ]);
  });
  it('names unaliased function columns as PostgreSQL does', () => {
    expect(pgColumnName('count_star()')).toBe('count');
    expect(pgColumnName('"version"()')).toBe('version');
    expect(pgColumnName('sum(cost)')).toBe('sum');
    expect(pgColumnName('cost')).toBe('cost');
    expect(fieldsOf([{ name: 'n', type: 'BIGINT' }])).toEqual([
      { name: 'n', typeOid: OID.int8, typeSize: 8 },
    ]);
  });
  it('writes values in text format', () => {
    expect(textValue(true, OID.bool)).toBe('t');
    expect(textValue(null, OID.text)).toBeNull();
    expect(textValue(2.5, OID.float8)).toBe('2.5');
    expect(textValue(Number.NaN, OID.float8)).toBe('NaN');
    expect(textValue('12345678901234567890', OID.numeric)).toBe('12345678901234567890');
    expect(textValue([1, 2], OID.text)).toBe('[1,2]');
    expect(textValue({ months: 14, days: 3, micros: '3600000000' }, OID.interval)).toBe(
      '1 year 2 mons 3 days 01:00:00',
    );
  });
});
