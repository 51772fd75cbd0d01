import type { CsvTableWriter } from './csv-writer.ts';
import {
  CITIES,
  type City,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  HOSPITAL_SPECIALITIES,
  LAST_NAMES,
  PAYERS,
  SPECIALITIES,
  STREETS,
} from './places.ts';
import type { Random } from './random.ts';

export interface Organization {
  id: string;
  name: string;
  address: string;
  city: City;
  phone: string;
  hospital: boolean;
  providers: Provider[];
  utilization: number;
  revenue: number;
}

export interface Provider {
  id: string;
  org: Organization;
  name: string;
  gender: 'M' | 'F';
  speciality: string;
  encounters: number;
  procedures: number;
}

export interface Payer {
  id: string;
  name: string;
  ownership: string;
  share: number;
  covered: number;
  uncovered: number;
  revenue: number;
  coveredEncounters: number;
  uncoveredEncounters: number;
  coveredMedications: number;
  uncoveredMedications: number;
  coveredProcedures: number;
  uncoveredProcedures: number;
  coveredImmunizations: number;
  uncoveredImmunizations: number;
  customers: number;
  memberMonths: number;
}

/** Organisations, their providers and the payers: the tables patients' records point at. */
export interface ReferenceData {
  organizations: Organization[];
  hospitalsByCity: Map<string, Organization>;
  clinicsByCity: Map<string, Organization[]>;
  payers: Payer[];
}

/** A name the way Synthea writes it: `Esteban536 Reynolds644`. */
export function syntheaName(rng: Random, gender: 'M' | 'F'): [string, string] {
  const first = rng.pick(gender === 'M' ? FIRST_NAMES_M : FIRST_NAMES_F);
  return [`${first}${rng.int(10, 999)}`, `${rng.pick(LAST_NAMES)}${rng.int(10, 999)}`];
}

export function phone(rng: Random): string {
  return `${rng.int(201, 989)}-${rng.int(200, 999)}-${String(rng.int(0, 9999)).padStart(4, '0')}`;
}

export function createReferenceData(rng: Random): ReferenceData {
  const organizations: Organization[] = [];
  const hospitalsByCity = new Map<string, Organization>();
  const clinicsByCity = new Map<string, Organization[]>();
  const org = (city: City, name: string, hospital: boolean): Organization => {
    const o: Organization = {
      id: rng.uuid(),
      name,
      address: `${rng.int(1, 999)} ${rng.pick(STREETS)}`,
      city,
      phone: phone(rng),
      hospital,
      providers: [],
      utilization: 0,
      revenue: 0,
    };
    const specialities = hospital ? HOSPITAL_SPECIALITIES : SPECIALITIES;
    for (let i = 0; i < (hospital ? 6 : 3); i++) {
      const gender = rng.chance(0.5) ? 'M' : 'F';
      o.providers.push({
        id: rng.uuid(),
        org: o,
        name: syntheaName(rng, gender).join(' '),
        gender,
        speciality: specialities[i % specialities.length]!,
        encounters: 0,
        procedures: 0,
      });
    }
    organizations.push(o);
    return o;
  };
  for (const city of CITIES) {
    const big = city[6] >= 10;
    hospitalsByCity.set(
      city[0],
      org(city, `${city[0].toUpperCase()} ${big ? 'MEDICAL CENTER' : 'HOSPITAL'}`, true),
    );
    const clinics = [org(city, `${city[0]} Family Practice`, false)];
    if (big) clinics.push(org(city, `${city[0]} Community Health Center`, false));
    clinicsByCity.set(city[0], clinics);
  }
  const payers: Payer[] = PAYERS.map(([name, ownership, share]) => ({
    id: rng.uuid(),
    name,
    ownership,
    share,
    covered: 0,
    uncovered: 0,
    revenue: 0,
    coveredEncounters: 0,
    uncoveredEncounters: 0,
    coveredMedications: 0,
    uncoveredMedications: 0,
    coveredProcedures: 0,
    uncoveredProcedures: 0,
    coveredImmunizations: 0,
    uncoveredImmunizations: 0,
    customers: 0,
    memberMonths: 0,
  }));
  return { organizations, hospitalsByCity, clinicsByCity, payers };
}

const money = (n: number) => n.toFixed(2);

/** Write organizations, providers and payers with the totals the patients accumulated. */
export function writeReferenceData(
  ref: ReferenceData,
  w: { organizations: CsvTableWriter; providers: CsvTableWriter; payers: CsvTableWriter },
  rng: Random,
): void {
  for (const o of ref.organizations) {
    const [name, , , zip, lat, lon] = o.city;
    w.organizations.row([
      o.id,
      o.name,
      o.address,
      name,
      'MA',
      zip,
      lat,
      lon,
      o.phone,
      money(o.revenue),
      o.utilization,
    ]);
    for (const p of o.providers) {
      w.providers.row([
        p.id,
        o.id,
        p.name,
        p.gender,
        p.speciality,
        o.address,
        name,
        'MA',
        zip,
        lat,
        lon,
        p.encounters,
        p.procedures,
      ]);
    }
  }
  for (const p of ref.payers) {
    const insured = p.ownership !== 'NO_INSURANCE';
    w.payers.row([
      p.id,
      p.name,
      p.ownership,
      insured && p.ownership === 'PRIVATE' ? `${rng.int(1, 999)} ${rng.pick(STREETS)}` : null,
      insured && p.ownership === 'PRIVATE' ? 'Boston' : null,
      insured && p.ownership === 'PRIVATE' ? 'MA' : null,
      insured && p.ownership === 'PRIVATE' ? '02118' : null,
      insured && p.ownership === 'PRIVATE' ? phone(rng) : null,
      money(p.covered),
      money(p.uncovered),
      money(p.revenue),
      p.coveredEncounters,
      p.uncoveredEncounters,
      p.coveredMedications,
      p.uncoveredMedications,
      p.coveredProcedures,
      p.uncoveredProcedures,
      p.coveredImmunizations,
      p.uncoveredImmunizations,
      p.customers,
      (0.6 + rng.next() * 0.35).toFixed(4),
      p.memberMonths,
    ]);
  }
}
