import type { PhiTag } from '../../lakehouse/index.ts';

type Json = Record<string, unknown>;
type Getter = (r: Json) => unknown;

/** A flattened column: name, DuckDB type, PHI class, and how to read it from the resource. */
export interface FhirColumn {
  name: string;
  type: string;
  phi?: PhiTag;
  references?: string;
  get: Getter;
}

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const first = (v: unknown): Json => obj(arr(v)[0]);
const coding = (cc: unknown): Json => first(obj(cc).coding);
/** `Patient/123`, `urn:uuid:123` or Synthea's conditional `Practitioner?identifier=system|123` → `123`. */
export const refId = (ref: unknown): string | null => {
  const r = obj(ref).reference;
  if (typeof r !== 'string') return null;
  if (r.startsWith('urn:uuid:')) return r.slice(9);
  if (r.includes('|')) return r.slice(r.lastIndexOf('|') + 1);
  return r.slice(r.lastIndexOf('/') + 1);
};
const identifier = (r: Json, test: (i: Json) => boolean): unknown =>
  arr(r.identifier).map(obj).find(test)?.value;
const telecom = (r: Json, system: string): unknown =>
  arr(r.telecom)
    .map(obj)
    .find((t) => t.system === system)?.value;
const ext = (r: Json, url: string): Json =>
  obj(
    arr(r.extension)
      .map(obj)
      .find((e) => String(e.url).endsWith(url)),
  );
const address = (r: Json) => first(r.address);

const id: FhirColumn = { name: 'id', type: 'VARCHAR', get: (r) => r.id };
const patientRef = (from: (r: Json) => unknown): FhirColumn => ({
  name: 'patient_id',
  type: 'VARCHAR',
  phi: 'direct',
  references: 'patient.id',
  get: (r) => refId(from(r)),
});
const encounterRef: FhirColumn = {
  name: 'encounter_id',
  type: 'VARCHAR',
  references: 'encounter.id',
  get: (r) => refId(r.encounter),
};
const ts = (name: string, get: Getter, phi: PhiTag = 'quasi'): FhirColumn => ({
  name,
  type: 'TIMESTAMPTZ',
  phi,
  get,
});
const text = (name: string, get: Getter, phi?: PhiTag): FhirColumn => ({ name, type: 'VARCHAR', phi, get });

/** The nine resource types and how each flattens into a table (one row per resource). */
export const FHIR_RESOURCES: Record<string, { table: string; columns: FhirColumn[] }> = {
  Patient: {
    table: 'patient',
    columns: [
      { ...id, phi: 'direct' },
      text('mrn', (r) => identifier(r, (i) => coding(i.type).code === 'MR'), 'direct'),
      text('ssn', (r) => identifier(r, (i) => String(i.system).endsWith('us-ssn')), 'direct'),
      text('family_name', (r) => first(r.name).family, 'direct'),
      text('given_name', (r) => arr(first(r.name).given).join(' ') || null, 'direct'),
      text('prefix', (r) => arr(first(r.name).prefix).join(' ') || null, 'direct'),
      text('gender', (r) => r.gender, 'quasi'),
      { name: 'birth_date', type: 'DATE', phi: 'quasi', get: (r) => r.birthDate },
      ts('deceased_at', (r) => r.deceasedDateTime),
      text('marital_status', (r) => coding(r.maritalStatus).code, 'quasi'),
      text(
        'race',
        (r) =>
          obj(
            arr(ext(r, 'us-core-race').extension)
              .map(obj)
              .find((e) => e.url === 'ombCategory')?.valueCoding,
          ).display,
        'quasi',
      ),
      text(
        'ethnicity',
        (r) =>
          obj(
            arr(ext(r, 'us-core-ethnicity').extension)
              .map(obj)
              .find((e) => e.url === 'ombCategory')?.valueCoding,
          ).display,
        'quasi',
      ),
      text('address_line', (r) => arr(address(r).line).join(', ') || null, 'direct'),
      text('city', (r) => address(r).city, 'quasi'),
      text('state', (r) => address(r).state, 'none'),
      text('postal_code', (r) => address(r).postalCode, 'quasi'),
      text('country', (r) => address(r).country, 'none'),
      text('phone', (r) => telecom(r, 'phone'), 'direct'),
      text('email', (r) => telecom(r, 'email'), 'direct'),
      text('language', (r) => coding(obj(first(r.communication)).language).code, 'none'),
    ],
  },
  Encounter: {
    table: 'encounter',
    columns: [
      id,
      text('status', (r) => r.status),
      text('class_code', (r) => obj(r.class).code),
      text('type_code', (r) => coding(first(r.type)).code),
      text('type_display', (r) => coding(first(r.type)).display),
      patientRef((r) => r.subject),
      ts('period_start', (r) => obj(r.period).start),
      ts('period_end', (r) => obj(r.period).end),
      text('reason_code', (r) => coding(first(r.reasonCode)).code),
      text('reason_display', (r) => coding(first(r.reasonCode)).display),
      {
        name: 'practitioner_id',
        type: 'VARCHAR',
        references: 'practitioner.id',
        get: (r) => refId(obj(first(r.participant)).individual),
      },
      {
        name: 'organization_id',
        type: 'VARCHAR',
        references: 'organization.id',
        get: (r) => refId(r.serviceProvider),
      },
    ],
  },
  Condition: {
    table: 'condition',
    columns: [
      id,
      patientRef((r) => r.subject),
      encounterRef,
      text('clinical_status', (r) => coding(r.clinicalStatus).code),
      text('verification_status', (r) => coding(r.verificationStatus).code),
      text('code', (r) => coding(r.code).code),
      text('code_system', (r) => coding(r.code).system),
      text('code_display', (r) => coding(r.code).display),
      ts('onset_at', (r) => r.onsetDateTime),
      ts('abatement_at', (r) => r.abatementDateTime),
      ts('recorded_at', (r) => r.recordedDate),
    ],
  },
  MedicationRequest: {
    table: 'medication_request',
    columns: [
      id,
      patientRef((r) => r.subject),
      encounterRef,
      text('status', (r) => r.status),
      text('intent', (r) => r.intent),
      text('medication_code', (r) => coding(r.medicationCodeableConcept).code),
      text('medication_display', (r) => coding(r.medicationCodeableConcept).display),
      ts('authored_at', (r) => r.authoredOn),
      {
        name: 'requester_id',
        type: 'VARCHAR',
        references: 'practitioner.id',
        get: (r) => refId(r.requester),
      },
      text('reason_code', (r) => coding(first(r.reasonCode)).code),
      text('dosage_text', (r) => obj(first(r.dosageInstruction)).text),
    ],
  },
  Observation: {
    table: 'observation',
    columns: [
      id,
      patientRef((r) => r.subject),
      encounterRef,
      text('status', (r) => r.status),
      text('category', (r) => coding(first(r.category)).code),
      text('code', (r) => coding(r.code).code),
      text('code_display', (r) => coding(r.code).display),
      ts('effective_at', (r) => r.effectiveDateTime),
      { name: 'value_number', type: 'DOUBLE', get: (r) => obj(r.valueQuantity).value },
      text('value_unit', (r) => obj(r.valueQuantity).unit),
      text('value_text', (r) => r.valueString ?? coding(r.valueCodeableConcept).display ?? null),
      text('components', (r) => (arr(r.component).length ? JSON.stringify(r.component) : null)),
    ],
  },
  Procedure: {
    table: 'procedure',
    columns: [
      id,
      patientRef((r) => r.subject),
      encounterRef,
      text('status', (r) => r.status),
      text('code', (r) => coding(r.code).code),
      text('code_display', (r) => coding(r.code).display),
      ts('performed_start', (r) => obj(r.performedPeriod).start ?? r.performedDateTime),
      ts('performed_end', (r) => obj(r.performedPeriod).end),
      text('reason_code', (r) => coding(first(r.reasonCode)).code),
    ],
  },
  Immunization: {
    table: 'immunization',
    columns: [
      id,
      patientRef((r) => r.patient),
      encounterRef,
      text('status', (r) => r.status),
      text('vaccine_code', (r) => coding(r.vaccineCode).code),
      text('vaccine_display', (r) => coding(r.vaccineCode).display),
      ts('occurred_at', (r) => r.occurrenceDateTime),
      { name: 'primary_source', type: 'BOOLEAN', get: (r) => r.primarySource },
    ],
  },
  Organization: {
    table: 'organization',
    columns: [
      id,
      text('name', (r) => r.name, 'none'),
      text('type_code', (r) => coding(first(r.type)).code),
      text('address_line', (r) => arr(address(r).line).join(', ') || null, 'none'),
      text('city', (r) => address(r).city, 'none'),
      text('state', (r) => address(r).state, 'none'),
      text('postal_code', (r) => address(r).postalCode, 'none'),
      text('phone', (r) => telecom(r, 'phone'), 'none'),
      { name: 'active', type: 'BOOLEAN', get: (r) => r.active },
    ],
  },
  Practitioner: {
    table: 'practitioner',
    columns: [
      id,
      text('npi', (r) => identifier(r, (i) => String(i.system).endsWith('us-npi')), 'none'),
      text('family_name', (r) => first(r.name).family, 'none'),
      text('given_name', (r) => arr(first(r.name).given).join(' ') || null, 'none'),
      text('prefix', (r) => arr(first(r.name).prefix).join(' ') || null, 'none'),
      text('gender', (r) => r.gender, 'none'),
      text('address_line', (r) => arr(address(r).line).join(', ') || null, 'none'),
      text('city', (r) => address(r).city, 'none'),
      text('state', (r) => address(r).state, 'none'),
      text('postal_code', (r) => address(r).postalCode, 'none'),
      text('email', (r) => telecom(r, 'email'), 'none'),
      { name: 'active', type: 'BOOLEAN', get: (r) => r.active },
    ],
  },
};
