import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findStrongIdentifiers,
  IdentifierMatcher,
  type KnownIdentifier,
  replaceIdentifiers,
  restore,
} from './identifiers.ts';

describe('replaceIdentifiers', () => {
  it('replaces patterns and known names with placeholders, one per distinct value', () => {
    const q =
      'Encounters for Jane Roe (jane.roe@example.com), SSN 123-45-6789, MRN A1234567, ' +
      'phone (617) 555-0142, seen 2019-03-04 and 3/5/2019, id 3f2b8c1e-9d4a-4c1b-8e2f-1a2b3c4d5e6f, zip 02139; JANE ROE again';
    const { text, placeholders } = replaceIdentifiers(q, { known: ['Jane Roe'] });
    expect(text).toBe(
      'Encounters for [NAME_1] ([EMAIL_1]), SSN [SSN_1], MRN [MRN_1], ' +
        'phone [PHONE_1], seen [DATE_1] and [DATE_2], id [ID_1], zip [ZIP_1]; [NAME_1] again',
    );
    expect(placeholders).toMatchObject({
      '[NAME_1]': 'Jane Roe',
      '[SSN_1]': '123-45-6789',
      '[MRN_1]': 'A1234567',
      '[EMAIL_1]': 'jane.roe@example.com',
    });
  });

  it('keeps what is not an identifier: years, small numbers, words', () => {
    const q = 'Top 10 payers by claims in 2019, since March 2020, ages 65+, COVID-19, ICD10 E11.9';
    expect(replaceIdentifiers(q).text).toBe(q);
  });

  it('takes the longest known identifier and ignores ones too short to be safe', () => {
    const { text } = replaceIdentifiers('Ann Lee Smith and Ann Lee and Al', {
      known: ['Ann Lee', 'Ann Lee Smith', 'Al'],
    });
    expect(text).toBe('[NAME_1] and [NAME_2] and Al');
  });

  it('reuses placeholders across turns and never mints one the question already contains', () => {
    const first = replaceIdentifiers('visits of Jane Roe', { known: ['Jane Roe'] });
    const second = replaceIdentifiers('and for Jane Roe and John Poe, not [NAME_2]', {
      known: ['Jane Roe', 'John Poe'],
      placeholders: first.placeholders,
    });
    expect(second.text).toBe('and for [NAME_1] and [NAME_3], not [NAME_2]');
    expect(restore(second.text, second.placeholders)).toBe('and for Jane Roe and John Poe, not [NAME_2]');
  });

  it('labelled record numbers only when they hold a digit', () => {
    expect(replaceIdentifiers('member id XK-44129 and account number 99812345').text).toBe(
      'member id [MRN_1] and account number [MRN_2]',
    );
    expect(replaceIdentifiers('the member is active').text).toBe('the member is active');
    expect(replaceIdentifiers('claim 2019 totals by policy 2020').text).toBe(
      'claim 2019 totals by policy 2020',
    );
  });
});

describe('restore', () => {
  it('puts originals back in strings, arrays and objects, leaving other values alone', () => {
    const map = { '[NAME_1]': 'Jane Roe', '[SSN_1]': '123-45-6789' };
    expect(
      restore(
        { filters: [{ member: 'patients.name', values: ['[NAME_1]'] }], limit: 5, note: '[SSN_1]/[NAME_1]' },
        map,
      ),
    ).toEqual({
      filters: [{ member: 'patients.name', values: ['Jane Roe'] }],
      limit: 5,
      note: '123-45-6789/Jane Roe',
    });
    expect(restore('[NAME_10] stays', map)).toBe('[NAME_10] stays');
  });

  it('round-trips any text through replace and restore', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('Jane Roe', 'John Q Public'), (s, name) => {
        const original = `${s} ${name} 123-45-6789 ${s}`;
        const { text, placeholders } = replaceIdentifiers(original, { known: [name] });
        expect(text).not.toContain(name);
        expect(restore(text, placeholders)).toBe(original);
      }),
      { numRuns: 200 },
    );
  });
});

describe('strong identifiers (outbound check)', () => {
  it('finds known names and unambiguous patterns, not dates or figures', () => {
    expect(findStrongIdentifiers('Today is 2025-11-29. Total paid 12345678.90 for 2019.')).toEqual([]);
    expect(findStrongIdentifiers('SSN 123-45-6789, mail a@b.org', ['Jane Roe'])).toEqual(['SSN', 'EMAIL']);
    expect(findStrongIdentifiers('see JANE roe', ['Jane Roe'])).toEqual(['NAME']);
  });

  it('matches a one-word name only as written, so ordinary words pass', () => {
    const m = new IdentifierMatcher(['Will', 'Hope']);
    expect(m.kinds('you will find hope here')).toEqual([]);
    expect(m.kinds('patient Will was seen')).toEqual(['NAME']);
  });

  it('redacts what it finds', () => {
    expect(new IdentifierMatcher(['Jane Roe']).redact('Jane Roe called 617-555-0142')).toBe(
      '[REDACTED] called [REDACTED]',
    );
  });

  it('compiles thousands of known names once and stays correct', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `Patient Number${i} Surname`);
    const m = new IdentifierMatcher(names);
    expect(m.kinds('notes about patient number4999 surname today')).toEqual(['NAME']);
    expect(m.kinds('notes about nobody')).toEqual([]);
  });
});

describe('what a user types', () => {
  const sub = (text: string, known: KnownIdentifier[] = [], vocabulary: string[] = []) =>
    replaceIdentifiers(text, { known: new IdentifierMatcher(known, vocabulary) }).text;

  it('replaces dates in every common format', () => {
    for (const d of ['1997/12/12', '12.12.1997', '1997.12.12', '12-12-1997', '12/12/1997', '1997-12-12'])
      expect(sub(`born ${d}`)).toBe('born [DATE_1]');
  });

  it('replaces ZIP codes with or without a label, and street addresses', () => {
    expect(sub('lives in 01605')).toBe('lives in [ZIP_1]');
    expect(sub('zip 01605-1234')).toBe('zip [ZIP_1]');
    expect(sub('lives at 519 Bode Boulevard Unit 54, Worcester')).toBe('lives at [ADDRESS_1], Worcester');
    expect(sub('lives at 1055 Will Manor')).toBe('lives at [ADDRESS_1]');
    // An ordinary question with a number is not an address.
    expect(sub('top 10 patients seen by dr')).toBe('top 10 patients seen by dr');
  });

  it('replaces names by shape unless a word is one the product knows', () => {
    expect(sub('visits of Esteban536 Reynolds644')).toBe('visits of [NAME_1]');
    expect(sub('how many visits did Jane Roe have')).toBe('how many visits did [NAME_1] have');
    expect(sub('a patient named Zed')).toBe('a patient named [NAME_1]');
    expect(sub('seen by Dr. Who')).toBe('seen by [NAME_1]');
    expect(sub('count Emergency Room visits', [], ['Emergency Room'])).toBe('count Emergency Room visits');
    expect(sub('How many patients?')).toBe('How many patients?');
  });

  it('takes a value from the name index whatever its case', () => {
    expect(sub('patients in worcester', [{ value: 'Worcester', kind: 'ADDRESS' }])).toBe(
      'patients in [ADDRESS_1]',
    );
  });
});

describe('a base matcher', () => {
  it('is consulted beside the turn’s own identifiers, longest match first', () => {
    const base = new IdentifierMatcher([
      { value: 'Ann Lee Smith', kind: 'NAME' },
      { value: 'Worcester', kind: 'ADDRESS' },
    ]);
    const m = new IdentifierMatcher(['Ann Lee'], [], base);
    expect(replaceIdentifiers('Ann Lee Smith of worcester and Ann Lee', { known: m }).text).toBe(
      '[NAME_1] of [ADDRESS_1] and [NAME_2]',
    );
    expect(m.kinds('Ann Lee Smith')).toEqual(['NAME']);
  });
});
