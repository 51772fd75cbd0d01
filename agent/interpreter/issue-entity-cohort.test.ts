// Figures of rows kept to a cohort of the entity they belong to ("immunizations for patients
// with asthma" had counted immunizations whose visit's reason was asthma: 0; "encounters of
// patients with hypertension" had read "patients" as procedure values), and cohorts joined by a
// cube's verb ("never prescribed lisinopril" had been read as no lisinopril allergy). On the
// invented clinic model, widened with diagnoses and treatments keyed to members and visits.
import { describe, expect, it } from 'vitest';
import { buildLexicon, interpret, type LexiconCube } from './index.ts';
import { clinicCubes } from './testing/clinic.ts';

const now = new Date('2024-01-01T12:00:00Z');

const cubes: LexiconCube[] = [
  ...clinicCubes.map((c) =>
    c.name !== 'visits'
      ? c
      : {
          ...c,
          // A reason column on the counted rows holding a value like a diagnosis's.
          dimensions: [...c.dimensions, { name: 'visits.reason', title: 'Reason', type: 'string' }],
        },
  ),
  {
    name: 'diagnoses',
    title: 'Diagnoses',
    meta: { synonyms: ['problems'], verbs: ['diagnosed'] },
    measures: [{ name: 'diagnoses.count', title: 'Diagnoses Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'diagnoses.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'diagnoses.member', title: 'Member', type: 'string' },
      { name: 'diagnoses.visit', title: 'Visit', type: 'string' },
      { name: 'diagnoses.description', title: 'Description', type: 'string' },
    ],
  },
  {
    name: 'treatments',
    title: 'Treatments',
    // "prescribed" is both a name of the rows and their verb.
    meta: { synonyms: ['prescriptions', 'prescribed'], verbs: ['prescribed', 'dispensed'] },
    measures: [{ name: 'treatments.count', title: 'Treatments Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'treatments.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'treatments.member', title: 'Member', type: 'string' },
      { name: 'treatments.description', title: 'Description', type: 'string' },
    ],
  },
  {
    name: 'sensitivities',
    title: 'Sensitivities',
    measures: [
      { name: 'sensitivities.count', title: 'Sensitivities Count', type: 'number', aggType: 'count' },
    ],
    dimensions: [
      { name: 'sensitivities.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'sensitivities.member', title: 'Member', type: 'string' },
      { name: 'sensitivities.description', title: 'Description', type: 'string' },
    ],
  },
  {
    name: 'steps',
    title: 'Steps',
    measures: [{ name: 'steps.count', title: 'Steps Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'steps.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'steps.visit', title: 'Visit', type: 'string' },
      { name: 'steps.description', title: 'Description', type: 'string' },
    ],
  },
];

const lexicon = buildLexicon(cubes, [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  { dimension: 'visits.reason', values: ['Asthma', 'Essential hypertension (disorder)'] },
  { dimension: 'diagnoses.description', values: ['Asthma', 'Essential hypertension (disorder)'] },
  { dimension: 'treatments.description', values: ['lisinopril 10 MG Oral Tablet', 'Albuterol inhaler'] },
  { dimension: 'sensitivities.description', values: ['Lisinopril', 'Peanuts'] },
  // Values holding the entity's own word: never what "members" means.
  { dimension: 'steps.description', values: ['Member discharge (procedure)', 'Member informed of result'] },
]);

function read(q: string) {
  const r = interpret(q, lexicon, now);
  if (r.kind !== 'form') throw new Error(`${q}: ${JSON.stringify(r)}`);
  return r;
}

const kept = (sql: string) =>
  expect(sql).toMatch(/"member" IN \(SELECT e\."id" AS "entity" FROM "members" AS e WHERE/);

describe('rows of a cohort of the entity they belong to', () => {
  it('counts the visits of members with a diagnosis, through the member ("visits of members with asthma")', () => {
    const r = read('how many visits for members with asthma');
    expect(r.sql).toContain('SELECT count(*)');
    expect(r.sql).toContain('FROM "visits"');
    kept(r.sql);
    expect(r.sql).toContain(
      `FROM "diagnoses" AS r0 WHERE r0."member" = e."id" AND r0."description" IN ('Asthma')`,
    );
    // Not the visit's own reason column, nor the diagnoses of the same visit.
    expect(r.sql).not.toContain('"reason"');
    expect(r.sql).not.toContain('"visit"');
    expect(r.interpretation).toContain('among members with any diagnoses');
  });

  it('never reads the entity\'s own name as a value ("members" is not "Member discharge")', () => {
    for (const q of [
      'number of visits of members with essential hypertension',
      'how many visits among members with essential hypertension',
    ]) {
      const r = read(q);
      expect(r.sql).not.toContain('"steps"');
      kept(r.sql);
      expect(r.sql).toContain(`r0."description" IN ('Essential hypertension (disorder)')`);
    }
  });

  it('reads paraphrases: a person noun, "to … members", "people who have"', () => {
    for (const q of [
      'visits given to asthmatic members',
      'how many refills for people who have asthma',
      'number of refills for members diagnosed with asthma',
    ]) {
      const r = read(q);
      expect(r.sql).toContain('SELECT count(*)');
      kept(r.sql);
      expect(r.sql).toContain(`"diagnoses"`);
    }
  });

  it("keeps the rows' own values and period beside the cohort", () => {
    const r = read('how many urgent visits in 2023 for members with asthma');
    expect(r.sql).toContain(`"setting" IN ('urgent')`);
    expect(r.sql).toContain('2023-01-01');
    kept(r.sql);
  });

  it('reads the entity as the subject of the rows\' verb ("how many visits did our asthmatic members have in 2023")', () => {
    const r = read('how many visits did our asthmatic members have in 2023');
    expect(r.sql).toContain('FROM "visits"');
    kept(r.sql);
    // The period is the visits', not the diagnosis's.
    expect(r.sql).toContain('make_timestamp(epoch_us("started_at")) >= \'2023-01-01');
    expect(r.sql).not.toMatch(/r0\.[^)]*2023/);
  });

  it('keeps a per-entity figure to the cohort ("visits per member among members with asthma")', () => {
    const r = read('average number of visits per member among members with asthma');
    expect(r.form.kind).toBe('per_entity');
    kept(r.sql);
    expect(r.sql).not.toContain('"steps"');
  });

  it("takes a total or an average of the rows' column over the cohort's rows only", () => {
    const total = read('total visit charge for members with asthma');
    expect(total.form.kind).toBe('distribution');
    expect(total.sql).toContain('sum("charge")');
    expect(total.sql).toContain('FROM "visits"');
    kept(total.sql);
    const avg = read('average refill charge among members with essential hypertension');
    expect(avg.sql).toContain('avg("charge")');
    expect(avg.sql).toContain('FROM "refills"');
    kept(avg.sql);
  });

  it('lists the rows when they are asked for ("list visits of members with asthma")', () => {
    const r = read('list visits of members with asthma');
    expect(r.form.kind === 'aggregate' && r.form.list).toBe(true);
    expect(r.sql).not.toContain('count(');
    kept(r.sql);
  });

  it('asks back when the qualifier has a word it cannot place', () => {
    const r = interpret('how many visits for members with zorblaxia', lexicon, now);
    expect(r.kind).toBe('clarify');
  });
});

describe('cohorts joined by a verb of the rows', () => {
  it('reads "never prescribed X" on the rows whose verb it is, not a like value elsewhere', () => {
    const r = read('members with essential hypertension who were never prescribed lisinopril');
    expect(r.form.kind).toBe('cohort');
    expect(r.sql).toContain(`NOT EXISTS (SELECT 1 FROM "treatments"`);
    expect(r.sql).not.toContain('"sensitivities"');
  });

  it('reads "have been prescribed" as its own clause ("how many asthmatics have been prescribed albuterol")', () => {
    const r = read('how many asthmatic members have been prescribed albuterol');
    expect(r.sql).toContain(`FROM "diagnoses"`);
    expect(r.sql).toContain(`FROM "treatments"`);
  });
});
