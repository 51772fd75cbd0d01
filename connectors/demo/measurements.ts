import type { Random } from './random.ts';

/** A plausible lab result for a LOINC code (diabetic A1c, lipid panel, eGFR, …). */
export function labValue(rng: Random, loinc: string): string {
  switch (loinc) {
    case '4548-4':
      return rng.normal(7.4, 0.9).toFixed(1);
    case '2339-0':
      return rng.normal(150, 30).toFixed(1);
    case '2093-3':
      return rng.normal(235, 25).toFixed(1);
    case '2571-8':
      return rng.normal(180, 40).toFixed(1);
    case '18262-6':
      return rng.normal(150, 20).toFixed(1);
    case '2085-9':
      return rng.normal(45, 8).toFixed(1);
    default:
      return rng.normal(65, 12).toFixed(1);
  }
}

/** A device UDI in GS1 form, as Synthea writes it. */
export function udi(rng: Random, at: number): string {
  const d = new Date(at).toISOString();
  const yymmdd = `${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}`;
  return `(01)${rng.int(1e13, 9e13)}(11)${yymmdd}(17)${yymmdd}(10)${rng.int(1000, 999999)}(21)${rng.int(1e9, 9e9)}`;
}
