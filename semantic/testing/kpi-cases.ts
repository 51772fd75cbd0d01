// KPI questions of the bundled Synthea model, each as a Cube query and as SQL written by hand from
// the KPI's stated definition (same columns, same order). The KPI tests compare the two on the
// fixture and on demo data; `npm run bench` times them (semantic.kpi).

/** One KPI question: its Cube query and the hand-written SQL that answers it over the lake tables. */
export interface KpiCase {
  name: string;
  query: Record<string, unknown>;
  sql: string;
}

export const KPI_CASES: KpiCase[] = [
  {
    name: 'payer coverage share of claim cost by encounter class',
    query: {
      measures: ['encounters.payer_coverage_ratio'],
      dimensions: ['encounters.encounterclass'],
      order: { 'encounters.encounterclass': 'asc' },
    },
    sql: `SELECT encounterclass, sum(payer_coverage) / NULLIF(sum(total_claim_cost), 0)
          FROM encounters GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'claim cost and encounters per patient by year',
    query: {
      measures: ['encounters.claim_cost_per_patient', 'encounters.encounters_per_patient'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      order: { 'encounters.start': 'asc' },
    },
    sql: `SELECT strftime(date_trunc('year', start), '%Y-%m-%dT%H:%M:%S.000'),
            sum(total_claim_cost) / count(DISTINCT patient), count(*) / count(DISTINCT patient)
          FROM encounters GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'median and 90th percentile claim cost',
    query: { measures: ['encounters.median_claim_cost', 'encounters.p90_claim_cost'] },
    sql: 'SELECT median(total_claim_cost), quantile_cont(total_claim_cost, 0.9) FROM encounters',
  },
  {
    name: 'inpatient length of stay in days',
    query: { measures: ['encounters.avg_inpatient_length_of_stay_days'] },
    sql: `SELECT avg(epoch(stop) - epoch(start)) / 86400 FROM encounters WHERE encounterclass = 'inpatient'`,
  },
  {
    name: '30-day readmission rate by year of the index stay',
    query: {
      measures: ['encounters.readmission_rate_30d', 'encounters.inpatient_count'],
      timeDimensions: [{ dimension: 'encounters.start', granularity: 'year' }],
      filters: [{ member: 'encounters.encounterclass', operator: 'equals', values: ['inpatient'] }],
      order: { 'encounters.start': 'asc' },
    },
    // Each inpatient stay, and whether a later inpatient admission of the same patient starts
    // within 30 days after its discharge.
    sql: `WITH stays AS (SELECT id, patient, start, stop FROM encounters WHERE encounterclass = 'inpatient'),
          flagged AS (
            SELECT a.id, a.start, count(b.id) > 0 AS readmitted FROM stays a
            LEFT JOIN stays b ON b.patient = a.patient AND b.id <> a.id
              AND b.start >= a.stop AND b.start <= a.stop + INTERVAL 30 DAY
            GROUP BY a.id, a.start)
          SELECT strftime(date_trunc('year', start), '%Y-%m-%dT%H:%M:%S.000'),
            avg(CASE WHEN readmitted THEN 1.0 ELSE 0.0 END), count(*)
          FROM flagged GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'mortality rate by gender',
    query: {
      measures: ['patients.mortality_rate'],
      dimensions: ['patients.gender'],
      order: { 'patients.gender': 'asc' },
    },
    sql: `SELECT gender, avg(CASE WHEN deathdate IS NOT NULL THEN 1.0 ELSE 0.0 END) FROM patients GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'condition prevalence and patients per 1,000 by condition',
    query: {
      measures: ['conditions.prevalence', 'conditions.prevalence_per_1000'],
      dimensions: ['conditions.description'],
      order: { 'conditions.description': 'asc' },
    },
    sql: `SELECT description, count(DISTINCT patient) / (SELECT count(*) FROM patients),
            1000 * count(DISTINCT patient) / (SELECT count(*) FROM patients)
          FROM conditions GROUP BY 1 ORDER BY 1`,
  },
  {
    name: 'year-over-year change of encounters and claim cost',
    query: {
      measures: ['encounters.yoy_encounter_change', 'encounters.yoy_claim_cost_change'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'year', dateRange: ['2016-01-01', '2023-12-31'] },
      ],
      order: { 'encounters.start': 'asc' },
    },
    sql: `WITH y AS (SELECT year(start) AS y, count(*) AS n, sum(total_claim_cost) AS cost FROM encounters GROUP BY 1)
          SELECT strftime(make_date(a.y, 1, 1), '%Y-%m-%dT00:00:00.000'),
            (a.n - b.n) / b.n, (a.cost - b.cost) / NULLIF(b.cost, 0)
          FROM y a LEFT JOIN y b ON b.y = a.y - 1 WHERE a.y BETWEEN 2016 AND 2023 ORDER BY a.y`,
  },
];
