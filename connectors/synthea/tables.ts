import type { PhiTag } from '../../lakehouse/index.ts';

/** Every table of a Synthea CSV export, in load order (referenced tables first). */
export const SYNTHEA_TABLES = [
  'organizations',
  'providers',
  'payers',
  'patients',
  'encounters',
  'conditions',
  'medications',
  'procedures',
  'observations',
  'immunizations',
  'allergies',
  'careplans',
  'devices',
  'supplies',
  'imaging_studies',
  'payer_transitions',
  'claims',
  'claims_transactions',
  'patient_expenses',
] as const;

export type SyntheaTable = (typeof SYNTHEA_TABLES)[number];

/** Primary keys where Synthea's ids are unique per row (imaging_studies repeats its Id per instance). */
export const PRIMARY_KEYS: Partial<Record<SyntheaTable, string>> = {
  organizations: 'id',
  providers: 'id',
  payers: 'id',
  patients: 'id',
  encounters: 'id',
  careplans: 'id',
  claims: 'id',
  claims_transactions: 'id',
};

/** Columns holding a date or a timestamp; which one is decided from the data (versions differ). */
const TEMPORAL = new Set([
  'start',
  'stop',
  'date',
  'birthdate',
  'deathdate',
  'start_date',
  'end_date',
  'year',
  'currentillnessdate',
  'servicedate',
  'lastbilleddate1',
  'lastbilleddate2',
  'lastbilleddatep',
  'fromdate',
  'todate',
]);

const DOUBLE = new Set([
  'base_encounter_cost',
  'total_claim_cost',
  'payer_coverage',
  'base_cost',
  'totalcost',
  'cost',
  'lat',
  'lon',
  'healthcare_expenses',
  'healthcare_coverage',
  'income',
  'revenue',
  'amount_covered',
  'amount_uncovered',
  'qols_avg',
  'insurance_costs',
  'covered_costs',
  'outstanding1',
  'outstanding2',
  'outstandingp',
  'amount',
  'unitamount',
  'units',
  'payments',
  'adjustments',
  'transfers',
  'outstanding',
]);

const BIGINT = new Set([
  'utilization',
  'encounters',
  'procedures',
  'dispenses',
  'quantity',
  'covered_encounters',
  'uncovered_encounters',
  'covered_medications',
  'uncovered_medications',
  'covered_procedures',
  'uncovered_procedures',
  'covered_immunizations',
  'uncovered_immunizations',
  'unique_customers',
  'member_months',
  'departmentid',
  'patientdepartmentid',
  'healthcareclaimtypeid1',
  'healthcareclaimtypeid2',
  'chargeid',
  'diagnosisref1',
  'diagnosisref2',
  'diagnosisref3',
  'diagnosisref4',
  'feescheduleid',
]);

/** Business tables: names and addresses there are organisations' and clinicians', not patients'. */
const NOT_PATIENT_DATA = new Set<SyntheaTable>(['organizations', 'providers', 'payers']);

const PATIENT_DIRECT = new Set([
  'id',
  'ssn',
  'drivers',
  'passport',
  'prefix',
  'first',
  'middle',
  'last',
  'suffix',
  'maiden',
  'address',
  'lat',
  'lon',
]);
const PATIENT_QUASI = new Set([
  'birthdate',
  'deathdate',
  'zip',
  'city',
  'county',
  'fips',
  'gender',
  'race',
  'ethnicity',
  'marital',
  'birthplace',
  'income',
]);
const PERSON_LINKS = new Set(['patient', 'patientid', 'patient_id', 'memberid', 'owner_name']);

const REFERENCES: Record<string, string> = {
  patient: 'patients.id',
  patientid: 'patients.id',
  patient_id: 'patients.id',
  encounter: 'encounters.id',
  organization: 'organizations.id',
  provider: 'providers.id',
  providerid: 'providers.id',
  payer: 'payers.id',
  payer_id: 'payers.id',
  secondary_payer: 'payers.id',
  claimid: 'claims.id',
};

/** The lake type kind of a Synthea column (lower-cased header). */
export function columnKind(
  table: SyntheaTable,
  column: string,
): 'temporal' | 'DOUBLE' | 'BIGINT' | 'VARCHAR' {
  // observations.UNITS is a unit of measure ('kg/m2'); claims_transactions.UNITS is a quantity.
  if (column === 'units' && table !== 'claims_transactions') return 'VARCHAR';
  if (TEMPORAL.has(column)) return 'temporal';
  if (DOUBLE.has(column)) return 'DOUBLE';
  if (BIGINT.has(column)) return 'BIGINT';
  return 'VARCHAR';
}

/** What Synthea's layout says about a column's PHI class. */
export function columnPhi(table: SyntheaTable, column: string): PhiTag {
  if (NOT_PATIENT_DATA.has(table)) return 'none';
  if (table === 'patients') {
    if (PATIENT_DIRECT.has(column)) return 'direct';
    if (PATIENT_QUASI.has(column)) return 'quasi';
    return 'none';
  }
  if (PERSON_LINKS.has(column)) return 'direct';
  if (TEMPORAL.has(column) && column !== 'year') return 'quasi';
  return 'none';
}

/** The column a Synthea column points at, if it is a foreign key. */
export function columnReference(table: SyntheaTable, column: string): string | undefined {
  if (table === 'providers' && column === 'organization') return 'organizations.id';
  if (NOT_PATIENT_DATA.has(table)) return undefined;
  return REFERENCES[column];
}
