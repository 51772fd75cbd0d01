// A word of the model's own vocabulary inside a long stored value is no mention of that value:
// "facility" of "Discharge from skilled nursing facility" is the model's word for where care is given.
import { describe, expect, it } from 'vitest';
import { clinicLexicon } from './testing/clinic.ts';
import { incidental } from './value-words.ts';

describe('words inside stored values', () => {
  it('does not read a model word in the middle of a long value as naming it', () => {
    // "charge" names a member of the clinic model.
    expect(incidental(clinicLexicon, 'charge', 'Review of disputed charge letter (procedure)')).toBe(true);
  });

  it('still reads it at the head of a value, in a short value, and any word the model does not use', () => {
    expect(incidental(clinicLexicon, 'charge', 'Charge nurse review of visit')).toBe(false);
    expect(incidental(clinicLexicon, 'charge', 'Charge waiver')).toBe(false);
    expect(incidental(clinicLexicon, 'wheeze', 'Referral for chronic wheeze (procedure)')).toBe(false);
  });
});
