import { afterAll, beforeAll, expect, it } from 'vitest';
import { SemanticLayer } from '../index.ts';
import { contextFor, createCsvFixtureLake, type FixtureLake, SYNTHEA_CSV_DIR } from '../testing/index.ts';

// Regression (issue 13, B1) on the Cube path: a query's filters were compiled into the same WHERE
// as the cube's row policy, so DuckDB could evaluate them on rows the policy removes. A member
// whose SQL raises on some rows (a cast, a JSON parse) then failed the query because of rows the
// caller may not see. The row policy now sits behind a barrier: the outcome depends only on the
// caller's rows. The policy here reads a subquery, as the bundled patients policy does: DuckDB
// then joins, and pushed the query's filter below that join, onto every row.

let fx: FixtureLake;
let layer: SemanticLayer;
let mine: string;
let other: string;

beforeAll(async () => {
  fx = await createCsvFixtureLake(SYNTHEA_CSV_DIR, { only: ['encounters'] });
  const orgs = await fx.lake.query(
    'SELECT organization FROM encounters GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 2',
  );
  mine = String(orgs.rows[0]![0]);
  other = String(orgs.rows[1]![0]);
  // `touchy` raises on every row of the other organization, and only there.
  const model = `
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
      - name: organizations
        sql: "(SELECT ',' || string_agg(o.organization, ',') || ',' FROM lake.main.encounters AS o WHERE o.id = {CUBE}.id)"
        type: string
      - name: touchy
        sql: "json_extract(CASE WHEN {CUBE}.organization = '${other}' THEN 'x' ELSE '1' END, '$')::INTEGER"
        type: number
      - name: parsed
        sql: "CAST(CASE WHEN {CUBE}.organization = '${other}' THEN 'x' ELSE '2' END AS INTEGER)"
        type: number
    measures:
      - name: count
        type: count
    access_policy:
      - role: admin
      - role: clinician
        row_level:
          filters:
            - member: organizations
              operator: contains
              values: [",{ securityContext.organization_id },"]
`;
  layer = await SemanticLayer.load({ files: [{ file: 'visits.yml', text: model }], lake: fx.lake });
});
afterAll(async () => {
  await fx?.close();
});

it('filters on a member that raises on hidden rows answer from the caller’s rows only', async () => {
  const clinician = contextFor('clinician', { organization_id: mine });
  const want = Number(
    (await fx.lake.query('SELECT count(*) FROM encounters WHERE organization = $1', [mine])).rows[0]![0],
  );
  for (const filter of [
    { member: 'visits.touchy', operator: 'equals', values: ['1'] },
    { member: 'visits.touchy', operator: 'gt', values: ['0'] },
    { member: 'visits.parsed', operator: 'gte', values: ['2'] },
    { member: 'visits.parsed', operator: 'set' },
  ]) {
    const res = await layer.load({ measures: ['visits.count'], filters: [filter] }, clinician);
    expect(res.data[0]!['visits.count'], JSON.stringify(filter)).toBe(want);
  }
  // The members do raise where the caller may see those rows: the probe is live.
  await expect(
    layer.load(
      {
        measures: ['visits.count'],
        filters: [{ member: 'visits.touchy', operator: 'equals', values: ['1'] }],
      },
      contextFor('admin'),
    ),
  ).rejects.toMatchObject({ code: 'QUERY_FAILED' });
});
