import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import {
  contextFor,
  createCsvFixtureLake,
  type FixtureLake,
  SYNTHEA_CSV_DIR,
  SYNTHEA_MODEL_DIR,
} from '../testing/index.ts';

// Regression (issue 13, B1): a member whose SQL reads other rows through a subquery reads the
// lake's tables past every row policy. The bundled readmission flag looked at every
// organization's inpatient stays, so a clinician learned about stays elsewhere. Such members are
// found by parsing their SQL (whatever their names) and hidden from callers who may not see
// every row; callers who see every row keep them.

let fx: FixtureLake;
let bundled: SemanticLayer;
let custom: SemanticLayer;
let org: string;

// A model of our own: the subqueries come in several spellings, under names nothing looks for.
const CUSTOM = `
cubes:
  - name: visits
    sql_table: encounters
    dimensions:
      - name: id
        sql: "{CUBE}.id"
        type: string
        primary_key: true
      - name: organization
        sql: "{CUBE}.organization"
        type: string
      - name: kind
        sql: "{CUBE}.encounterclass"
        type: string
      - name: flag_one
        sql: "EXISTS (SELECT 1 FROM lake.main.encounters AS o WHERE o.patient = {CUBE}.patient AND o.organization <> {CUBE}.organization)"
        type: boolean
      - name: tally
        sql: "(FROM lake.main.encounters AS o SELECT count(*) WHERE o.patient = {CUBE}.patient)"
        type: number
      - name: derived
        sql: "{tally} > 3"
        type: boolean
      - name: listed
        sql: "{CUBE}.patient IN (SELECT patient FROM lake.main.conditions)"
        type: boolean
      - name: year_of_start
        sql: "EXTRACT(year FROM {CUBE}.start)"
        type: number
    measures:
      - name: count
        type: count
      - name: flagged
        type: count
        filters:
          - sql: "{flag_one}"
      - name: flagged_all_kinds
        type: number
        multi_stage: true
        sql: "{flagged}"
        reduce_by: [kind]
      - name: count_by_flag
        type: number
        multi_stage: true
        sql: "{count}"
        group_by: [flag_one]
      - name: staged_twice
        type: number
        multi_stage: true
        sql: "{flagged_all_kinds}"
        reduce_by: [kind]
      - name: count_all_kinds
        type: number
        multi_stage: true
        sql: "{count}"
        reduce_by: [kind]
    segments:
      - name: elsewhere
        sql: "{flag_one}"
    access_policy:
      - role: admin
      - role: clinician
        row_level:
          filters:
            - member: organization
              operator: equals
              values: ["{ securityContext.organization_id }"]
`;

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, {
    only: ['patients', 'encounters', 'conditions', 'organizations', 'providers', 'payers'],
  });
  bundled = await SemanticLayer.load({ modelDir: SYNTHEA_MODEL_DIR, lake: fx.lake });
  custom = await SemanticLayer.load({ files: [{ file: 'visits.yml', text: CUSTOM }], lake: fx.lake });
  org = String(
    (await fx.lake.query('SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1'))
      .rows[0]![0],
  );
});
afterAll(async () => {
  await fx?.close();
});

const clinician = () => contextFor('clinician', { organization_id: org });
const names = (layer: SemanticLayer, ctx: ReturnType<typeof contextFor>, cube: string) => {
  const c = layer.meta(ctx).cubes.find((x) => x.name === cube);
  return [...(c?.dimensions ?? []), ...(c?.measures ?? []), ...(c?.segments ?? [])].map((m) => m.name);
};

describe('members that read other rows', () => {
  it('are hidden from a clinician in the bundled model: the readmission flag and what builds on it', async () => {
    const hidden = [
      'encounters.readmission_within_30_days',
      'encounters.readmissions_30d',
      'encounters.readmission_rate_30d',
    ];
    const seen = names(bundled, clinician(), 'encounters');
    for (const m of hidden) expect(seen).not.toContain(m);
    expect(seen).toContain('encounters.inpatient_count');
    for (const m of hidden.slice(1)) {
      await expect(bundled.load({ measures: [m] }, clinician())).rejects.toMatchObject({
        code: 'UNKNOWN_MEMBER',
      });
    }
    await expect(
      bundled.load(
        { measures: ['encounters.count'], dimensions: ['encounters.readmission_within_30_days'] },
        clinician(),
      ),
    ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER' });
    const columns = bundled
      .governedRelations(clinician())
      .get('encounters')!
      .columns.map((c) => c.name);
    expect(columns).not.toContain('readmission_within_30_days');
    expect(columns).toContain('encounterclass');
  });

  it('stay for callers who see every row (admin, analyst)', async () => {
    for (const role of ['admin', 'analyst']) {
      const res = await bundled.load({ measures: ['encounters.readmission_rate_30d'] }, contextFor(role));
      expect(res.data).toHaveLength(1);
      expect(names(bundled, contextFor(role), 'encounters')).toContain(
        'encounters.readmission_within_30_days',
      );
    }
  });

  it('are found by parsing, whatever the spelling or the name, following references', async () => {
    const admin = names(custom, contextFor('admin'), 'visits');
    const clin = names(custom, clinician(), 'visits');
    const reading = ['flag_one', 'tally', 'derived', 'listed', 'flagged', 'elsewhere'];
    // Multi-stage measures take the flag of what they reference: SQL, grouping, another stage.
    reading.push('flagged_all_kinds', 'count_by_flag', 'staged_twice');
    for (const m of reading) {
      expect(admin).toContain(`visits.${m}`);
      expect(clin).not.toContain(`visits.${m}`);
    }
    // No subquery: EXTRACT(… FROM …) is not one.
    for (const m of ['id', 'kind', 'year_of_start', 'count', 'count_all_kinds'])
      expect(clin).toContain(`visits.${m}`);
    await expect(custom.load({ measures: ['visits.flagged'] }, clinician())).rejects.toMatchObject({
      code: 'UNKNOWN_MEMBER',
    });
    await expect(
      custom.load({ measures: ['visits.count'], segments: ['visits.elsewhere'] }, clinician()),
    ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER' });
    const mine = await custom.load({ measures: ['visits.count'] }, clinician());
    const want = (await fx.lake.query('SELECT count(*) FROM encounters WHERE organization = $1', [org]))
      .rows[0]![0];
    expect(mine.data[0]!['visits.count']).toBe(Number(want));
  });
});
