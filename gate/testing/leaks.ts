import type { Lakehouse } from '../../lakehouse/index.ts';
import type { TestCtx } from './fixture.ts';

/**
 * What a caller must never see, read from the base lake with trusted SQL, and a checker that
 * lists every such thing found in an answer. Used by the attack corpus and the differential test.
 */
export interface LeakRules {
  /** Cell values (exact) and fragments (anywhere) a clinician of orgA must not see. */
  clinician: { cells: Set<string>; fragments: string[] };
  /** Cell values (exact) and fragments (anywhere) the analyst must not see. */
  analyst: { cells: Set<string>; fragments: string[] };
}

/** File contents, settings, environment and catalog metadata: nobody's answer may hold these. */
const ENGINE_MARKERS = [
  'root:x:0',
  'gregorian',
  'Etc/UTC',
  '__ducklake',
  'ducklake_',
  'CREATE TABLE',
  'gate-test-',
  'allowed_directories',
  'enable_external_access',
  'encryption_key',
  '.parquet',
  'memory_limit',
  'column_tags',
];

const SSN = /\d{3}-\d{2}-\d{4}/;

export async function loadLeakRules(lake: Lakehouse): Promise<LeakRules> {
  const hiddenPatients = await lake.query(
    `SELECT id, name FROM lake.main.patients WHERE id NOT IN
       (SELECT patient FROM lake.main.encounters WHERE organization = 'orgA')`,
  );
  const hiddenEncounters = await lake.query(
    `SELECT id FROM lake.main.encounters WHERE organization <> 'orgA'`,
  );
  const patients = await lake.query(
    `SELECT name, ssn, zip, strftime(birthdate, '%Y-%m-%d') FROM lake.main.patients`,
  );
  const clinicianCells = new Set<string>(['orgB']);
  const clinicianFragments = ['orgB'];
  for (const [id, name] of hiddenPatients.rows as string[][]) {
    clinicianCells.add(String(id));
    clinicianFragments.push(String(name));
  }
  for (const [id] of hiddenEncounters.rows as string[][]) clinicianCells.add(String(id));
  const analystCells = new Set<string>();
  const analystFragments: string[] = [];
  for (const [name, ssn, zip, birth] of patients.rows as string[][]) {
    analystFragments.push(String(name), String(ssn), String(zip));
    // Only the year of birth is shown to the analyst, as 1 January.
    if (!String(birth).endsWith('-01-01')) analystFragments.push(String(birth));
    analystCells.add(String(zip));
  }
  return {
    clinician: { cells: clinicianCells, fragments: clinicianFragments },
    analyst: { cells: analystCells, fragments: analystFragments },
  };
}

/**
 * Everything in `value` (an answer's rows, or an error message) that `ctx` must not see. Fragments
 * are matched as whole words so that, say, a hash's hex digits never pass for a ZIP code.
 * `ignore` is the statement itself: an error message may echo what the caller wrote.
 */
export function findLeaks(rules: LeakRules, ctx: TestCtx, value: unknown, ignore = ''): string[] {
  const found: string[] = [];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const mentioned = (s: string) => ignore !== '' && ignore.toLowerCase().includes(s.toLowerCase());
  for (const m of ENGINE_MARKERS) if (text.includes(m) && !mentioned(m)) found.push(`engine: ${m}`);
  if (SSN.test(text) && !SSN.test(ignore)) found.push(`ssn: ${SSN.exec(text)?.[0]}`);
  if (ctx.role === 'admin') return found;
  const r = ctx.role === 'analyst' ? rules.analyst : rules.clinician;
  for (const f of r.fragments) {
    if (containsWord(text, f) && !mentioned(f)) found.push(`value: ${f}`);
  }
  visitCells(value, (cell) => {
    if (r.cells.has(cell) && !mentioned(cell)) found.push(`cell: ${cell}`);
  });
  return [...new Set(found)];
}

function containsWord(text: string, word: string): boolean {
  let at = text.indexOf(word);
  while (at >= 0) {
    const before = text[at - 1] ?? ' ';
    const after = text[at + word.length] ?? ' ';
    if (!/[\w]/.test(before) && !/[\w]/.test(after)) return true;
    at = text.indexOf(word, at + 1);
  }
  return false;
}

function visitCells(value: unknown, fn: (cell: string) => void): void {
  if (typeof value === 'string') fn(value);
  else if (Array.isArray(value)) for (const v of value) visitCells(v, fn);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) visitCells(v, fn);
}
