import { describe, expect, it } from 'vitest';
import { IdentifierMatcher } from '../../agent/index.ts';
import type { MetaCube } from '../../semantic/index.ts';
import { PhiRelease } from './phi-release.ts';

const known = [
  { value: 'Jane536', kind: 'NAME' as const },
  { value: 'Roe644', kind: 'NAME' as const },
  { value: '12 Elm Street', kind: 'ADDRESS' as const },
];
const matcher = new IdentifierMatcher(known);
const lowerCase = new Set(known.map((k) => k.value.toLowerCase()));
const now = new Date('2026-06-01T00:00:00Z');

const member = (name: string, type: string, meta?: Record<string, unknown>, aggType?: string) => ({
  name,
  title: name,
  shortTitle: name,
  type,
  isVisible: true,
  public: true,
  ...(meta ? { meta } : {}),
  ...(aggType ? { aggType } : {}),
});
const meta: MetaCube[] = [
  {
    name: 'patients',
    title: 'Patients',
    type: 'cube',
    isVisible: true,
    public: true,
    measures: [member('patients.count', 'number', undefined, 'count')],
    dimensions: [
      member('patients.nickname', 'string', { phi: 'direct', safe_harbor: 'name' }),
      member('patients.gender', 'string'),
    ],
    segments: [],
    hierarchies: [],
    folders: [],
    nestedFolders: [],
  },
];

describe('PhiRelease', () => {
  const columns = [
    { name: 'patients.nickname', type: 'string' },
    { name: 'patients.gender', type: 'string' },
    { name: 'patients.count', type: 'DOUBLE' },
  ];
  const rows = [
    ['Jane536', 'F', 3],
    ['Someone', 'M', 40],
  ];

  it('at none: removes tagged identifiers, suppresses small counts (a count measure typed DOUBLE too)', () => {
    const r = new PhiRelease({ level: 'none', matcher, lowerCase, meta, now }).table(columns, rows);
    expect(r.columns.map((c) => c.name)).toEqual(['patients.gender', 'patients.count']);
    expect(r.rows).toEqual([
      ['F', '<11'],
      ['M', 40],
    ]);
    expect(r.summary).toEqual({ phi: 'none', removedColumns: ['patients.nickname'], suppressedCells: 1 });
  });

  it('at deidentified: the same Safe Harbor removal, counts kept as they are', () => {
    const r = new PhiRelease({ level: 'deidentified', matcher, lowerCase, meta, now }).table(columns, rows);
    expect(r.rows).toEqual([
      ['F', 3],
      ['M', 40],
    ]);
  });

  it('at allowed: rows as the caller sees them, values made plain', () => {
    const r = new PhiRelease({ level: 'allowed' }).table(columns, [['Jane536', 'F', 3n]]);
    expect(r.rows).toEqual([['Jane536', 'F', 3]]);
  });

  it('redacts known identifiers in any letter case, strong patterns, and full dates in kept text', () => {
    const release = new PhiRelease({ level: 'none', matcher, lowerCase, now });
    const out = release.text(
      'I could not find "jane536 roe644" at 12 ELM STREET, SSN 123-45-6789, born 1990-04-02.',
    );
    expect(out).not.toMatch(/jane536|roe644|elm street|123-45-6789|04-02/i);
    expect(out).toContain('1990');
    // An alias hides the column name, not the values: they are redacted in the rows.
    const aliased = release.table([{ name: 'x', type: 'VARCHAR' }], [['JANE536 lives at 12 Elm Street']]);
    expect(JSON.stringify(aliased.rows)).not.toMatch(/jane536|elm street/i);
  });

  it('refuses, naming kinds only, when something identifying is still in what would leave', () => {
    const release = new PhiRelease({ level: 'none', matcher, lowerCase, now });
    expect(() => release.assertClean({ note: 'ssn 123-45-6789' })).toThrow(/PHI|identifiers/);
    expect(() => release.assertClean({ note: 'about ROE644' })).toThrow(/NAME/);
    expect(() => release.assertClean({ rows: [['F', 40]] })).not.toThrow();
    expect(() => new PhiRelease({ level: 'allowed' }).assertClean({ note: 'ssn 123-45-6789' })).not.toThrow();
  });
});
