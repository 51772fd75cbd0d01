import { writeClaim } from './claims.ts';
import { isoDate as date, money, isoSecond as ts } from './format.ts';
import { labValue, udi } from './measurements.ts';
import { CITIES, RACES, STREETS } from './places.ts';
import { type Organization, type Payer, type Provider, syntheaName } from './reference-data.ts';
import type { PatientEnv } from './types.ts';
import {
  ACUTE,
  ALLERGIES,
  CHRONIC,
  type Chronic,
  DEVICES,
  ENCOUNTER_TYPES,
  OBSERVATIONS,
  PROCEDURES,
  SUPPLIES,
  VACCINES,
} from './vocabulary.ts';

const DAY = 86_400_000;
const YEAR = 365.25 * DAY;

const AGE_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[0, 17], 22],
  [[18, 34], 23],
  [[35, 49], 19],
  [[50, 64], 20],
  [[65, 79], 12],
  [[80, 99], 4],
];

type Klass = 'wellness' | 'ambulatory' | 'outpatient' | 'urgentcare' | 'emergency' | 'inpatient';
interface Visit {
  at: number;
  klass: Klass;
  chronic?: Chronic;
  acute?: (typeof ACUTE)[number];
  diagnosis?: Chronic;
  readmission?: boolean;
}

/**
 * What every row of one encounter carries, and its cost so far. The row writers below are plain
 * functions over it rather than closures made per visit: a closure per visit and row kind cost more
 * than the rows (each is also named with `Object.defineProperty` when run through tsx).
 */
interface EncounterRows {
  w: PatientEnv['w'];
  id: string;
  encId: string;
  hour: number;
  hourTs: string;
  end: number;
  provider: Provider;
  payer: Payer;
  total: number;
}

function procedure(e: EncounterRows, p: readonly [string, string, number], why?: readonly [string, string]) {
  e.w.procedures.row([
    e.hourTs,
    ts(e.hour + 15 * 60_000),
    e.id,
    e.encId,
    p[0],
    p[1],
    money(p[2]),
    why?.[0],
    why?.[1],
  ]);
  e.total += p[2];
  e.provider.procedures++;
  if (e.payer.share > 0) e.payer.coveredProcedures++;
  else e.payer.uncoveredProcedures++;
}

function observe(
  e: EncounterRows,
  o: readonly [string, string, string, string],
  value: string | number,
  type = 'numeric',
) {
  e.w.observations.row([e.hourTs, e.id, e.encId, o[3], o[0], o[1], value, o[2], type]);
}

function medicate(
  e: EncounterRows,
  m: readonly [string, string, number],
  days: number,
  dispenses: number,
  why?: readonly [string, string],
) {
  const cost = m[2] * dispenses;
  e.w.medications.row([
    e.hourTs,
    ts(Math.min(e.hour + days * DAY, e.end)),
    e.id,
    e.payer.id,
    e.encId,
    m[0],
    m[1],
    money(m[2]),
    money(cost * e.payer.share),
    dispenses,
    money(cost),
    why?.[0],
    why?.[1],
  ]);
  e.total += cost;
  if (e.payer.share > 0) e.payer.coveredMedications++;
  else e.payer.uncoveredMedications++;
}

function vaccinate(e: EncounterRows, vac: readonly [string, string, number]) {
  e.w.immunizations.row([e.hourTs, e.id, e.encId, vac[0], vac[1], money(vac[2])]);
  e.total += vac[2];
  if (e.payer.share > 0) e.payer.coveredImmunizations++;
  else e.payer.uncoveredImmunizations++;
}

/** The first payer of that name (`find` with a closure per call cost a closure per visit). */
function payerNamed(ref: PatientEnv['ref'], name: string): Payer {
  for (const p of ref.payers) if (p.name === name) return p;
  throw new Error(`demo: no payer named ${name}`);
}

/** Simulate one patient's life in the export window and write all their rows. */
export function writePatient(env: PatientEnv): void {
  const { rng, ref, w, now } = env;
  const id = rng.uuid();
  const gender: 'M' | 'F' = rng.chance(0.49) ? 'M' : 'F';
  const [lo, hi] = rng.weighted(AGE_BANDS);
  const birth = now - (rng.int(lo, hi) + rng.next()) * YEAR;
  const city = rng.weighted(CITIES.map((c) => [c, c[6]] as const));
  const income = Math.round(Math.exp(rng.normal(11.1, 0.6)));
  const chronics = new Map<Chronic, number>();
  for (let y = 0; y * YEAR + birth < now; y++) {
    for (const c of CHRONIC)
      if (!chronics.has(c) && rng.chance(c.onset(y))) chronics.set(c, birth + (y + rng.next()) * YEAR);
  }
  const severe = ['chf', 'copd', 'ckd', 'afib'].filter((k) =>
    [...chronics.keys()].some((c) => c.key === k),
  ).length;
  const age = (now - birth) / YEAR;
  const death =
    rng.chance(Math.min(0.6, 0.002 * Math.max(0, age - 45) + 0.05 * severe)) && age > 1
      ? now - rng.next() * Math.min(env.years, age - 0.5) * YEAR
      : undefined;
  const end = death ?? now;
  const start = Math.max(birth, now - env.years * YEAR);
  const clinic = rng.pick(ref.clinicsByCity.get(city[0])!);
  const hospital = ref.hospitalsByCity.get(city[0])!;
  const pcp = rng.pick(clinic.providers);
  const privatePayer = rng.pick(ref.payers.filter((p) => p.ownership === 'PRIVATE'));
  const uninsured = rng.chance(0.05);
  const payerAt = (t: number): Payer => {
    const a = (t - birth) / YEAR;
    if (a >= 65) return payerNamed(ref, income < 25_000 ? 'Dual Eligible' : 'Medicare');
    if (income < 25_000) return payerNamed(ref, 'Medicaid');
    return uninsured ? payerNamed(ref, 'NO_INSURANCE') : privatePayer;
  };

  const visits: Visit[] = [];
  for (let y = Math.floor((start - birth) / YEAR); birth + y * YEAR < end; y++) {
    const yStart = Math.max(start, birth + y * YEAR);
    const yEnd = Math.min(end, birth + (y + 1) * YEAR);
    if (yEnd <= yStart) continue;
    const inYear = () => yStart + rng.next() * (yEnd - yStart);
    const active = [...chronics].filter(([, onset]) => onset <= yEnd).map(([c]) => c);
    const wellness = y < 3 ? 3 : y < 18 || rng.chance(0.85) ? 1 : 0;
    for (let i = 0; i < wellness; i++) visits.push({ at: inYear(), klass: 'wellness' });
    for (const c of active)
      for (let i = 0; i < 2; i++) visits.push({ at: inYear(), klass: 'ambulatory', chronic: c });
    for (const [c, onset] of chronics)
      if (onset >= yStart && onset < yEnd) visits.push({ at: onset, klass: 'outpatient', diagnosis: c });
    for (let i = rng.poisson(0.6); i > 0; i--) {
      visits.push({
        at: inYear(),
        klass: rng.chance(0.7) ? 'ambulatory' : 'urgentcare',
        acute: rng.weighted(ACUTE.map((a) => [a, a[4]] as const)),
      });
    }
    for (let i = rng.poisson(0.06 + 0.05 * active.length); i > 0; i--) {
      visits.push({
        at: inYear(),
        klass: 'emergency',
        acute: rng.weighted(ACUTE.map((a) => [a, a[4]] as const)),
      });
    }
    const admissions = 0.01 + active.reduce((n, c) => n + c.admissions, 0);
    for (let i = rng.poisson(admissions); i > 0; i--) {
      const at = inYear();
      const reason = active.length
        ? active.reduce((a, b) => (b.admissions > a.admissions ? b : a))
        : undefined;
      visits.push({ at, klass: 'inpatient', chronic: reason });
      const frail = reason && (reason.key === 'chf' || reason.key === 'copd');
      if (rng.chance(frail ? 0.22 : 0.1)) {
        const back = at + rng.int(3, 29) * DAY;
        if (back < end) visits.push({ at: back, klass: 'inpatient', chronic: reason, readmission: true });
      }
    }
  }
  visits.sort((a, b) => a.at - b.at);

  let expenses = 0;
  let coverage = 0;
  const yearly = new Map<number, { spent: number; covered: number; payer: Payer }>();
  const firstEncounter: { id?: string; at?: number } = {};
  const diagnosisEncounter = new Map<Chronic, string>();
  const hasMeter = chronics.has(CHRONIC.find((c) => c.key === 'diabetes')!) && rng.chance(0.5);
  const smoker =
    age >= 16
      ? rng.weighted([
          ['Never smoked tobacco (finding)', 70],
          ['Former smoker (finding)', 20],
          ['Current every day smoker (finding)', 10],
        ] as const)
      : 'Never smoked tobacco (finding)';
  const heightCm = gender === 'M' ? rng.normal(176, 7) : rng.normal(163, 6.5);
  const bmi = rng.normal(chronics.has(CHRONIC.find((c) => c.key === 'obesity')!) ? 33 : 26, 3);

  for (const v of visits) {
    const encId = rng.uuid();
    const atHospital = v.klass === 'emergency' || v.klass === 'inpatient';
    const org: Organization = atHospital ? hospital : clinic;
    const provider: Provider = atHospital ? rng.pick(hospital.providers) : pcp;
    const payer = payerAt(v.at);
    const a = (v.at - birth) / YEAR;
    const hour = Math.floor(v.at / DAY) * DAY + (8 + rng.int(0, 9)) * 3_600_000 + rng.int(0, 3599) * 1000;
    const stay =
      v.klass === 'inpatient'
        ? rng.int(2, 7) * DAY
        : v.klass === 'emergency'
          ? rng.int(2, 8) * 3_600_000
          : rng.int(15, 45) * 60_000;
    const stop = hour + stay;
    // Most rows of a visit carry its start: its text is made once.
    const hourTs = ts(hour);
    const et =
      v.klass === 'wellness'
        ? a < 18
          ? ENCOUNTER_TYPES.wellness
          : ENCOUNTER_TYPES.wellnessAdult
        : v.klass === 'ambulatory' && v.chronic
          ? ENCOUNTER_TYPES.chronic
          : ENCOUNTER_TYPES[v.klass];
    const reason: readonly [string, string] | undefined = v.chronic
      ? [v.chronic.code, v.chronic.description]
      : v.diagnosis
        ? [v.diagnosis.code, v.diagnosis.description]
        : v.acute
          ? [v.acute[0], v.acute[1]]
          : undefined;
    if (firstEncounter.id === undefined) {
      firstEncounter.id = encId;
      firstEncounter.at = hour;
    }
    const e: EncounterRows = {
      w,
      id,
      encId,
      hour,
      hourTs,
      end,
      provider,
      payer,
      total: et[2] * (v.klass === 'inpatient' ? stay / DAY : 1),
    };

    if (v.klass === 'wellness') {
      const h = a < 18 ? Math.min(heightCm, 50 + a * 6.5) : heightCm;
      const kg = (bmi * (h / 100) ** 2 * (a < 18 ? 0.8 : 1)).toFixed(1);
      observe(e, OBSERVATIONS.height, h.toFixed(1));
      observe(e, OBSERVATIONS.weight, kg);
      if (a >= 2) observe(e, OBSERVATIONS.bmi, (Number(kg) / (h / 100) ** 2).toFixed(1));
      let htn = false;
      for (const [c, on] of chronics) if (c.key === 'hypertension' && on <= v.at) htn = true;
      observe(e, OBSERVATIONS.diastolic, Math.round(rng.normal(htn ? 88 : 76, 7)));
      observe(e, OBSERVATIONS.systolic, Math.round(rng.normal(htn ? 142 : 118, 10)));
      observe(e, OBSERVATIONS.heartRate, Math.round(rng.normal(74, 9)));
      observe(e, OBSERVATIONS.respRate, Math.round(rng.normal(15, 2)));
      observe(e, OBSERVATIONS.pain, rng.int(0, 4));
      if (a >= 16) observe(e, OBSERVATIONS.smoking, smoker, 'text');
      if (a >= 18 && rng.chance(0.5)) procedure(e, PROCEDURES.depression);
      if (a >= 18 && rng.chance(0.3)) procedure(e, PROCEDURES.substance);
      if (a >= 50 && rng.chance(0.08)) procedure(e, PROCEDURES.colonoscopy);
      if (a >= 18 && rng.chance(0.6)) vaccinate(e, VACCINES.flu);
      if (v.at >= Date.UTC(2021, 0, 15) && rng.chance(0.35)) vaccinate(e, VACCINES.covid);
      if (a < 2) {
        vaccinate(e, VACCINES.dtap);
        vaccinate(e, VACCINES.ipv);
        if (rng.chance(0.5)) vaccinate(e, VACCINES.hepb);
      } else if (a < 6 && rng.chance(0.4)) vaccinate(e, VACCINES.mmr);
      else if (a >= 11 && a < 13) vaccinate(e, VACCINES.hpv);
      if (a >= 65 && rng.chance(0.15)) vaccinate(e, VACCINES.pneumo);
      if (a >= 50 && rng.chance(0.05)) vaccinate(e, VACCINES.zoster);
      if (a >= 19 && rng.chance(0.08)) vaccinate(e, VACCINES.td);
      if (chronics.size > 0 && a >= 18) procedure(e, PROCEDURES.medRec);
    }
    if (v.diagnosis) {
      diagnosisEncounter.set(v.diagnosis, encId);
      const cp = v.diagnosis.careplan;
      if (cp)
        w.careplans.row([
          rng.uuid(),
          date(hour),
          death ? date(death) : null,
          id,
          encId,
          cp[0],
          cp[1],
          v.diagnosis.code,
          v.diagnosis.description,
        ]);
      if (v.diagnosis.key === 'diabetes' && hasMeter) {
        w.devices.row([
          ts(hour),
          null,
          id,
          encId,
          DEVICES.glucoseMeter[0],
          DEVICES.glucoseMeter[1],
          udi(rng, hour),
        ]);
      }
      if ((v.diagnosis.key === 'asthma' || v.diagnosis.key === 'copd') && rng.chance(0.3)) {
        w.devices.row([
          ts(hour),
          null,
          id,
          encId,
          DEVICES.nebulizer[0],
          DEVICES.nebulizer[1],
          udi(rng, hour),
        ]);
      }
    }
    const c = v.chronic ?? v.diagnosis;
    if (c && v.klass !== 'inpatient') {
      for (const lab of c.labs)
        observe(e, OBSERVATIONS[lab as keyof typeof OBSERVATIONS], labValue(rng, lab));
      for (let i = 0; i < c.meds.length; i++)
        if (i === 0 || rng.chance(0.35)) medicate(e, c.meds[i]!, 180, 6, [c.code, c.description]);
      if (c.key === 'copd' && rng.chance(0.3)) procedure(e, PROCEDURES.spirometry, [c.code, c.description]);
      if (c.key === 'diabetes' && hasMeter)
        w.supplies.row([date(hour), id, encId, SUPPLIES.strips[0], SUPPLIES.strips[1], 50]);
    }
    if (v.acute) {
      const [code, desc, med, proc] = v.acute;
      w.conditions.row([date(hour), date(hour + rng.int(7, 21) * DAY), id, encId, code, desc]);
      if (med && rng.chance(0.75)) medicate(e, med, 10, 1, [code, desc]);
      if (proc) procedure(e, [proc[0], proc[1], 250 + rng.int(0, 300)], [code, desc]);
    }
    if (v.klass === 'inpatient') {
      if (rng.chance(0.4)) {
        procedure(e, PROCEDURES.chestXray, reason);
        const study = rng.uuid();
        w.imaging_studies.row([
          study,
          ts(hour),
          id,
          encId,
          `1.2.840.99999999.1.${rng.int(1e7, 9e7)}.${hour}`,
          '51185008',
          'Thoracic structure (body structure)',
          'CR',
          'Computed Radiography',
          `1.2.840.99999999.1.1.${rng.int(1e7, 9e7)}.${hour}`,
          '1.2.840.10008.5.1.4.1.1.1.1',
          'Digital X-Ray Image Storage',
          PROCEDURES.chestXray[0],
        ]);
      }
      if (c?.key === 'chf') procedure(e, PROCEDURES.echo, reason);
      if (c?.key === 'copd' || c?.key === 'chf') procedure(e, PROCEDURES.oxygen, reason);
      if (c?.key === 'ckd' && rng.chance(0.3)) procedure(e, PROCEDURES.dialysis, reason);
    }
    const total = e.total;
    const covered = total * payer.share;
    w.encounters.row([
      encId,
      hourTs,
      ts(stop),
      id,
      org.id,
      provider.id,
      payer.id,
      v.klass,
      et[0],
      et[1],
      money(et[2]),
      money(total),
      money(covered),
      reason?.[0],
      reason?.[1],
    ]);
    writeClaim(env, {
      encId,
      patient: id,
      provider,
      payer,
      at: hour,
      atText: hourTs,
      stop,
      total,
      covered,
      reason,
      inpatient: v.klass === 'inpatient',
    });
    org.utilization++;
    org.revenue += total;
    provider.encounters++;
    payer.covered += covered;
    payer.uncovered += total - covered;
    payer.revenue += covered * 0.1;
    if (payer.share > 0) payer.coveredEncounters++;
    else payer.uncoveredEncounters++;
    expenses += total - covered;
    coverage += covered;
    const yr = Math.floor((hour - birth) / YEAR);
    const acc = yearly.get(yr) ?? { spent: 0, covered: 0, payer };
    acc.spent += total - covered;
    acc.covered += covered;
    yearly.set(yr, acc);
  }

  for (const [c, onset] of chronics) {
    if (onset > end) continue;
    const enc = diagnosisEncounter.get(c) ?? firstEncounter.id;
    if (enc) w.conditions.row([date(onset), null, id, enc, c.code, c.description]);
  }
  if (firstEncounter.id && rng.chance(0.12)) {
    for (let i = rng.int(1, 2); i > 0; i--) {
      const [code, desc, category, rcode, rdesc] = rng.pick(ALLERGIES);
      w.allergies.row([
        date(firstEncounter.at!),
        null,
        id,
        firstEncounter.id,
        code,
        category === 'medication' ? 'RxNorm' : 'SNOMED-CT',
        desc,
        category === 'food' && rng.chance(0.3) ? 'intolerance' : 'allergy',
        category,
        rcode,
        rdesc,
        rng.pick(['MILD', 'MODERATE', 'SEVERE']),
        null,
        null,
        null,
      ]);
    }
  }

  const [first, last] = syntheaName(rng, gender);
  const race = rng.weighted(RACES);
  const adult = age >= 18;
  const married = adult && rng.chance(0.5);
  const ownerName = adult ? `${first} ${last}` : syntheaName(rng, rng.chance(0.5) ? 'M' : 'F').join(' ');
  // Coverage periods: one row per payer the patient had in the window.
  let periodStart = start;
  let current = payerAt(start);
  const memberId = rng.uuid();
  for (let t = start; ; t += YEAR / 4) {
    const next = t >= end ? undefined : payerAt(t);
    if (next === current) continue;
    const stopAt = Math.min(t, end);
    w.payer_transitions.row([
      id,
      memberId,
      ts(periodStart),
      ts(stopAt),
      current.id,
      null,
      adult ? (married && rng.chance(0.3) ? 'Spouse' : 'Self') : 'Guardian',
      ownerName,
    ]);
    current.customers++;
    current.memberMonths += Math.round((stopAt - periodStart) / (YEAR / 12));
    if (!next) break;
    current = next;
    periodStart = t;
  }
  for (const [yr, e] of yearly) {
    const premiums = e.payer.ownership === 'PRIVATE' ? 12 * 350 : 0;
    w.patient_expenses.row([
      id,
      ts(birth + yr * YEAR),
      e.payer.id,
      money(e.spent + premiums),
      money(premiums),
      money(e.covered),
    ]);
  }
  const [cityName, county, fips, zip, lat, lon] = city;
  w.patients.row([
    id,
    date(birth),
    death ? date(death) : null,
    `999-${rng.int(10, 99)}-${rng.int(1000, 9999)}`,
    adult ? `S999${rng.int(10000, 99999)}` : null,
    adult && rng.chance(0.7) ? `X${rng.int(10000000, 99999999)}X` : null,
    adult ? (gender === 'M' ? 'Mr.' : married ? 'Mrs.' : 'Ms.') : null,
    first,
    last,
    null,
    married && gender === 'F' ? syntheaName(rng, 'F')[1] : null,
    adult ? (married ? 'M' : rng.pick(['S', 'D', 'W'])) : null,
    race,
    rng.chance(0.13) ? 'hispanic' : 'nonhispanic',
    gender,
    `${rng.pick(CITIES)[0]}  Massachusetts  US`,
    `${rng.int(1, 999)} ${rng.pick(STREETS)}${rng.chance(0.3) ? ` Unit ${rng.int(1, 99)}` : ''}`,
    cityName,
    'Massachusetts',
    county,
    fips,
    zip,
    (lat + rng.normal(0, 0.03)).toFixed(6),
    (lon + rng.normal(0, 0.03)).toFixed(6),
    money(expenses),
    money(coverage),
    income,
  ]);
}
