import { describe, expect, it } from 'vitest';
import { IdentifierMatcher } from './identifiers.ts';
import { classifyColumn, deidentifyRows, toPlain, transformValue } from './safe-harbor.ts';

const now = new Date('2025-06-01T00:00:00Z');

describe('classifyColumn', () => {
  it('removes identifiers, generalises quasi-identifiers, keeps the rest', () => {
    const cases: Array<[string, string, string]> = [
      ['patients.first_name', 'VARCHAR', 'remove'],
      ['patients.ssn', 'VARCHAR', 'remove'],
      ['patients.mrn', 'VARCHAR', 'remove'],
      ['patients.phone', 'VARCHAR', 'remove'],
      ['patients.email', 'VARCHAR', 'remove'],
      ['patients.address', 'VARCHAR', 'remove'],
      ['patients.city', 'VARCHAR', 'remove'],
      ['patients.id', 'VARCHAR', 'remove'],
      ['encounters.patient_id', 'UUID', 'remove'],
      ['patients.zip', 'VARCHAR', 'zip3'],
      ['patients.birthdate', 'DATE', 'birth_year'],
      ['encounters.start.month', 'TIMESTAMP', 'year'],
      ['encounters.stop', 'VARCHAR', 'year'],
      ['patients.age', 'INTEGER', 'age'],
      ['encounters.count', 'BIGINT', 'count'],
      ['claims.total_cost', 'DOUBLE', 'keep'],
      ['patients.state', 'VARCHAR', 'keep'],
      ['patients.gender', 'VARCHAR', 'keep'],
    ];
    for (const [name, type, want] of cases)
      expect([name, classifyColumn({ name, type })]).toEqual([name, want]);
  });

  it('follows lake tags and semantic roles', () => {
    expect(classifyColumn({ name: 'payers.name', type: 'VARCHAR', phi: 'none' })).toBe('keep');
    expect(classifyColumn({ name: 'payers.name', type: 'VARCHAR' })).toBe('remove');
    expect(classifyColumn({ name: 'notes.text', type: 'VARCHAR', phi: 'direct' })).toBe('remove');
    expect(classifyColumn({ name: 'notes.text', type: 'VARCHAR', phi: 'quasi' })).toBe('remove');
    expect(classifyColumn({ name: 'x.when', type: 'DATE', phi: 'none' })).toBe('year');
    expect(classifyColumn({ name: 'x.v', type: 'BIGINT', role: 'count' })).toBe('count');
    expect(classifyColumn({ name: 'encounters.count', type: 'BIGINT', role: 'value' })).toBe('keep');
  });
});

describe('transformValue', () => {
  it('dates to year', () => {
    expect(transformValue('year', '2019-03-04', { now })).toBe(2019);
    expect(transformValue('year', new Date('2020-12-31T23:00:00Z'), { now })).toBe(2020);
    expect(transformValue('year', '2019-03-04T10:11:12.000Z', { now })).toBe(2019);
    expect(transformValue('year', null, { now })).toBeNull();
  });

  it('birth years that imply an age over 89 are grouped', () => {
    expect(transformValue('birth_year', '1936-01-01', { now })).toBe(1936);
    expect(transformValue('birth_year', '1935-12-31', { now })).toBe('1935 or earlier');
    expect(transformValue('birth_year', '1901-05-05', { now })).toBe('1935 or earlier');
  });

  it('ZIP to three digits, restricted areas to 000', () => {
    expect(transformValue('zip3', '02139', { now })).toBe('021');
    expect(transformValue('zip3', 2139, { now })).toBe('021');
    expect(transformValue('zip3', '02139-4307', { now })).toBe('021');
    expect(transformValue('zip3', '03601', { now })).toBe('000');
    expect(transformValue('zip3', '89301', { now })).toBe('000');
    expect(transformValue('zip3', 'unknown', { now })).toBeNull();
  });

  it('ages over 89 as 90+', () => {
    expect(transformValue('age', 89, { now })).toBe(89);
    expect(transformValue('age', 90, { now })).toBe('90+');
    expect(transformValue('age', 104n, { now })).toBe('90+');
    expect(transformValue('age', '95-99', { now })).toBe('90+');
    expect(transformValue('age', '80-89', { now })).toBe('80-89');
  });

  it('counts under 11 as "<11"', () => {
    expect(transformValue('count', 0, { now })).toBe('<11');
    expect(transformValue('count', 10, { now })).toBe('<11');
    expect(transformValue('count', 10n, { now })).toBe('<11');
    expect(transformValue('count', 11, { now })).toBe(11);
    expect(transformValue('count', '7', { now })).toBe('<11');
    expect(transformValue('count', 12345n, { now })).toBe(12345);
  });
});

describe('deidentifyRows', () => {
  it('drops identifier columns, transforms the rest, redacts identifiers inside kept text', () => {
    const matcher = new IdentifierMatcher(['Jane Roe']);
    const out = deidentifyRows(
      [
        { name: 'patients.name', type: 'VARCHAR' },
        { name: 'patients.birthdate', type: 'DATE' },
        { name: 'patients.zip', type: 'VARCHAR' },
        { name: 'conditions.description', type: 'VARCHAR' },
        { name: 'encounters.count', type: 'BIGINT' },
      ],
      [
        ['Jane Roe', '1980-02-03', '02139', 'Diabetes; reported by Jane Roe at 617-555-0142', 42n],
        ['John Poe', '1930-02-03', '10001', 'Hypertension', 3n],
      ],
      { matcher, now },
    );
    expect(out.columns.map((c) => [c.name, c.treatment])).toEqual([
      ['patients.birthdate', 'birth_year'],
      ['patients.zip', 'zip3'],
      ['conditions.description', 'keep'],
      ['encounters.count', 'count'],
    ]);
    expect(out.rows).toEqual([
      [1980, '021', 'Diabetes; reported by [REDACTED] at [REDACTED]', 42],
      ['1935 or earlier', '100', 'Hypertension', '<11'],
    ]);
    expect(out.removedColumns).toEqual(['patients.name']);
    expect(out.suppressedCells).toBe(1);
  });

  it('redacts identifiers nested in lists and structs of kept columns', () => {
    const matcher = new IdentifierMatcher(['Jane Roe']);
    const out = deidentifyRows(
      [{ name: 'cohort.members', type: 'VARCHAR[]', phi: 'none' }],
      [[['Jane Roe', 'other']], [{ contact: 'jane@example.org' }]],
      { matcher, now },
    );
    expect(out.rows).toEqual([[['[REDACTED]', 'other']], [{ contact: '[REDACTED]' }]]);
  });
});

describe('toPlain', () => {
  it('turns database values into JSON-able data', () => {
    expect(toPlain(12n)).toBe(12);
    expect(toPlain(2n ** 70n)).toBe('1180591620717411303424');
    expect(toPlain(new Date('2020-01-02T03:04:05Z'))).toBe('2020-01-02T03:04:05.000Z');
    expect(toPlain(new Uint8Array([1]))).toBe('[binary]');
    expect(toPlain({ toString: () => '2020-01-02' })).toBe('2020-01-02');
    expect(toPlain(undefined)).toBeNull();
  });
});
