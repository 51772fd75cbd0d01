// Governed SQL gate, each figure beside DuckDB doing the same work directly, in the same run.
//  - gate.prepare.p50 / .p99: parse, check, rewrite and verify (`gate.prepare`) per statement over a
//    representative set, vs DuckDB's `json_serialize_sql` of the same statement alone. The aim is
//    absolute (p50 < 5 ms), written as the equivalent ratio for this run.
//  - gate.query.*: a clinician's governed statement end to end (`governedSql`) vs the same question
//    hand-written over the base tables with the clinician's filter, run with `lake.query`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gate, type GovernedRelation } from '../gate/index.ts';
import { generateKey, Lakehouse, staticKeyProvider } from '../lakehouse/index.ts';
import { type Bench, type BenchResult, percentiles, timeMs } from './result.ts';

const ENCOUNTERS = 2_000_000;
const PATIENTS = 200_000;
const ORGS = 10;
const PREPARE_ROUNDS = 40;
const QUERY_ROUNDS = 9;

interface Ctx {
  org: string;
}

/** The clinician policy: their organization's encounters, and patients seen there. */
function relations(ctx: Ctx): GovernedRelation[] {
  return [
    {
      name: 'patients',
      sql: `SELECT id, name, birthdate, zip FROM lake.main.patients WHERE id IN (SELECT patient FROM lake.main.encounters WHERE organization = '${ctx.org}')`,
    },
    { name: 'encounters', sql: `SELECT * FROM lake.main.encounters WHERE organization = '${ctx.org}'` },
  ];
}

/** Statements an analyst or the agent typically sends. */
const STATEMENTS = [
  'SELECT count(*) FROM encounters',
  'SELECT organization, count(*), avg(cost) FROM encounters GROUP BY ALL',
  "SELECT id, cost FROM encounters WHERE cost > 400 AND kind = 'inpatient' ORDER BY cost DESC LIMIT 20",
  'SELECT p.zip, count(*) AS n, sum(e.cost) FROM encounters e JOIN patients p ON e.patient = p.id GROUP BY p.zip ORDER BY n DESC LIMIT 10',
  "WITH monthly AS (SELECT date_trunc('month', day) AS m, sum(cost) AS total FROM encounters GROUP BY 1) SELECT m, total, total - lag(total) OVER (ORDER BY m) AS delta FROM monthly ORDER BY m",
  'SELECT kind, cost, rank() OVER (PARTITION BY kind ORDER BY cost DESC) AS r FROM encounters QUALIFY r <= 3',
  'SELECT count(*) FROM patients WHERE id NOT IN (SELECT patient FROM encounters WHERE cost > 450)',
  "SELECT id FROM patients WHERE zip LIKE '021%' UNION SELECT patient FROM encounters WHERE kind = 'emergency'",
  "SELECT CASE WHEN cost < 100 THEN 'low' WHEN cost < 300 THEN 'mid' ELSE 'high' END AS band, count(*) FROM encounters GROUP BY 1",
  "SELECT year(birthdate) AS y, count(*) FROM patients WHERE birthdate >= DATE '1950-01-01' GROUP BY y ORDER BY y",
  "SELECT * FROM (SELECT kind, cost FROM encounters) PIVOT (sum(cost) FOR kind IN ('inpatient', 'outpatient', 'emergency'))",
  `SELECT count(*) FROM encounters WHERE ${Array.from({ length: 20 }, (_, i) => `cost <> ${i * 7}`).join(' AND ')}`,
];

/** Governed statement, and the same question written by hand over the base tables for orgA. */
const QUERIES: Array<{ name: string; governed: string; direct: string }> = [
  {
    name: 'aggregate',
    governed: 'SELECT kind, count(*), sum(cost) FROM encounters GROUP BY kind',
    direct:
      "SELECT kind, count(*), sum(cost) FROM lake.main.encounters WHERE organization = 'org0' GROUP BY kind",
  },
  {
    name: 'filter.top',
    governed: 'SELECT id, cost FROM encounters WHERE cost > 490 ORDER BY cost DESC, id LIMIT 50',
    direct:
      "SELECT id, cost FROM lake.main.encounters WHERE organization = 'org0' AND cost > 490 ORDER BY cost DESC, id LIMIT 50",
  },
  {
    name: 'join',
    governed:
      'SELECT p.zip, count(*) AS n, sum(e.cost) FROM encounters e JOIN patients p ON e.patient = p.id GROUP BY p.zip ORDER BY n DESC, p.zip LIMIT 10',
    direct: `SELECT p.zip, count(*) AS n, sum(e.cost) FROM lake.main.encounters e JOIN lake.main.patients p ON e.patient = p.id
             WHERE e.organization = 'org0' GROUP BY p.zip ORDER BY n DESC, p.zip LIMIT 10`,
  },
  {
    name: 'window',
    governed:
      "WITH monthly AS (SELECT date_trunc('month', day) AS m, sum(cost) AS total FROM encounters GROUP BY 1) SELECT m, total - lag(total) OVER (ORDER BY m) FROM monthly",
    direct:
      "WITH monthly AS (SELECT date_trunc('month', day) AS m, sum(cost) AS total FROM lake.main.encounters WHERE organization = 'org0' GROUP BY 1) SELECT m, total - lag(total) OVER (ORDER BY m) FROM monthly",
  },
  {
    name: 'patients.seen',
    governed: "SELECT count(*) FROM patients WHERE zip LIKE '021%'",
    direct: `SELECT count(*) FROM lake.main.patients WHERE zip LIKE '021%'
             AND id IN (SELECT patient FROM lake.main.encounters WHERE organization = 'org0')`,
  },
];

export const run: Bench = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gate-'));
  const lake = await Lakehouse.open({
    catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
    dataPath: join(dir, 'data'),
    key: staticKeyProvider(generateKey()),
    create: true,
    tempDirectory: join(dir, 'tmp'),
    sandbox: {},
  });
  try {
    const commit = { author: 'bench', message: 'gate data' };
    await lake.replaceTable(
      'patients',
      `SELECT 'p' || range AS id, 'Name ' || range AS name, DATE '1940-01-01' + (range % 25000)::INTEGER AS birthdate,
              '0' || (2100 + range % 900)::VARCHAR AS zip FROM range(${PATIENTS})`,
      commit,
    );
    await lake.replaceTable(
      'encounters',
      `SELECT 'e' || range AS id, 'p' || (hash(range) % ${PATIENTS}) AS patient, 'org' || (range % ${ORGS}) AS organization,
              ['inpatient', 'outpatient', 'emergency'][1 + range % 3] AS kind,
              DATE '2020-01-01' + (range % 1500)::INTEGER AS day, ((hash(range * 7) % 50000) / 100)::DECIMAL(10, 2) AS cost
       FROM range(${ENCOUNTERS})`,
      commit,
    );
    const gate = await Gate.create<Ctx>({ lake, relations, timeoutMs: 60_000, maxRows: 100_000 });
    const ctx: Ctx = { org: 'org0' };

    // Prepare vs a bare parse, interleaved so drift on a shared machine hits both alike.
    const prepared: number[] = [];
    const parsed: number[] = [];
    for (const sql of STATEMENTS) await gate.prepare(sql, ctx);
    for (let round = 0; round < PREPARE_ROUNDS; round++) {
      for (const sql of STATEMENTS) {
        parsed.push(
          await timeMs(() => lake.query('SELECT json_serialize_sql($1::VARCHAR)', [sql], { isolated: true })),
        );
        prepared.push(await timeMs(() => gate.prepare(sql, ctx)));
      }
    }
    const ours = percentiles(prepared);
    const anchor = percentiles(parsed);

    const results: BenchResult[] = [
      {
        name: 'gate.prepare.p50',
        value: ours.p50,
        unit: 'ms',
        anchor: 'duckdb json_serialize_sql of the same statement (p50)',
        anchorValue: anchor.p50,
        ratio: ours.p50 / anchor.p50,
        aim: `< ${(5 / anchor.p50).toFixed(1)} (p50 < 5 ms)`,
      },
      {
        name: 'gate.prepare.p99',
        value: ours.p99,
        unit: 'ms',
        anchor: 'duckdb json_serialize_sql of the same statement (p99)',
        anchorValue: anchor.p99,
        ratio: ours.p99 / anchor.p99,
        aim: 'report',
      },
    ];

    let governedTotal = 0;
    let directTotal = 0;
    for (const q of QUERIES) {
      const g = await gate.governedSql(q.governed, ctx);
      const d = await lake.query(q.direct, [], { maxRows: 100_000 });
      const same = (rows: unknown[][]) => JSON.stringify(rows.map((r) => JSON.stringify(r)).sort());
      if (same(g.rows) !== same(d.rows)) {
        throw new Error(`bench query ${q.name}: governed and direct answers differ`);
      }
      // Warm both paths (file and metadata caches) before timing.
      for (let i = 0; i < 2; i++) {
        await lake.query(q.direct, [], { maxRows: 100_000 });
        await gate.governedSql(q.governed, ctx);
      }
      const gt: number[] = [];
      const dt: number[] = [];
      for (let i = 0; i < QUERY_ROUNDS; i++) {
        dt.push(await timeMs(() => lake.query(q.direct, [], { maxRows: 100_000 })));
        gt.push(await timeMs(() => gate.governedSql(q.governed, ctx)));
      }
      const gp = percentiles(gt).p50;
      const dp = percentiles(dt).p50;
      governedTotal += gp;
      directTotal += dp;
      results.push({
        name: `gate.query.${q.name}`,
        value: gp,
        unit: 'ms',
        anchor: 'same question hand-written on the base tables, lake.query (p50)',
        anchorValue: dp,
        ratio: gp / dp,
        aim: '<= 1.2',
      });
    }
    results.push({
      name: 'gate.query.total',
      value: governedTotal,
      unit: 'ms',
      anchor: 'same questions hand-written on the base tables, lake.query (sum of p50)',
      anchorValue: directTotal,
      ratio: governedTotal / directTotal,
      aim: '<= 1.2',
    });
    return results;
  } finally {
    await lake.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
