// Rollup tables in the lake: built, refreshed by partition after syncs, and checked for currency.
// Each refresh is one DuckLake transaction with its own commit message (as a sync's load is), so
// a rollup and its bookkeeping change together or not at all. A rollup is used for a query only
// while no table it reads has changed since it was built: answers from it are those of the lake.
import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import type { Lakehouse, Params, WriteTransaction } from '../../lakehouse/index.ts';
import type { SemanticModel } from '../compiler/index.ts';
import {
  type MemberTypes,
  PARTITION_COLUMN,
  partitionsOf,
  planRollups,
  ROLLUP_SCHEMA,
  type RollupPlan,
  rollupSelect,
  type SqlDialect,
} from '../dialect/index.ts';

const SCHEMA = `lake.${quoteIdent(ROLLUP_SCHEMA)}`;
const STATE = `${SCHEMA}.${quoteIdent('__state')}`;
const PARTS = `${SCHEMA}.${quoteIdent('__partitions')}`;
const AUTHOR = 'analyst-preagg';

/** One rollup as `analyst preagg status` shows it. */
export interface RollupStatus {
  id: string;
  table: string;
  /** Why it is never built or used, if so. */
  problem?: string | undefined;
  refresh: string;
  built: boolean;
  /** Built from the lake as it is now: queries may read it. */
  current: boolean;
  refreshedAt?: string | undefined;
  /** The lake snapshot its rows were computed from. */
  snapshot?: number | undefined;
  rows: number;
  bytes: number;
  partitions: Array<{ partition: string | null; rows: number; refreshedAt: string }>;
}

/** What one refresh did to one rollup. */
export interface RollupRefresh {
  id: string;
  action: 'built' | 'refreshed' | 'unchanged' | 'skipped' | 'failed';
  /** Partitions rewritten (`all` for a full build). */
  partitions: Array<string | null> | 'all';
  rows: number;
  detail?: string | undefined;
}

/**
 * The rollups of a model over one lake.
 *
 * @example
 * const preaggs = new PreAggregations(model, lake, types, duckdbDialect);
 * await preaggs.refresh({ force: true }); // what `analyst preagg build` runs
 */
export class PreAggregations {
  readonly plans: RollupPlan[];

  constructor(
    private readonly model: SemanticModel,
    private readonly lake: Lakehouse,
    private readonly types: MemberTypes,
    private readonly dialect: SqlDialect,
  ) {
    this.plans = planRollups(model, types, dialect);
  }

  /** The rollups built from the lake as it is now (none when no rollup was ever built). */
  async current(): Promise<RollupPlan[]> {
    const usable = this.plans.filter((p) => p.problem === undefined);
    if (usable.length === 0 || !(await this.#hasSchema())) return [];
    const state = await this.#state();
    const snapshot = await this.#snapshot();
    const out: RollupPlan[] = [];
    for (const plan of usable) {
      const s = state.get(plan.id);
      if (!s || s.hash !== plan.hash) continue;
      if ((await this.#changed(plan, s.snapshot, snapshot)) === null) out.push(plan);
    }
    return out;
  }

  /**
   * Build or refresh rollups. `force` rebuilds each in full; otherwise only the partitions whose
   * rows changed since the last build are rewritten (the whole rollup when it has no partitions,
   * a joined table changed, or its definition did). `afterSync` honours `refresh_key.every`.
   */
  async refresh(
    options: { force?: boolean; afterSync?: boolean; only?: string[] } = {},
  ): Promise<RollupRefresh[]> {
    const out: RollupRefresh[] = [];
    for (const plan of this.plans) {
      if (options.only?.length && !options.only.includes(plan.id)) continue;
      if (plan.problem !== undefined) {
        out.push({ id: plan.id, action: 'skipped', partitions: [], rows: 0, detail: plan.problem });
        continue;
      }
      try {
        out.push(await this.#refreshOne(plan, options));
      } catch (err) {
        out.push({
          id: plan.id,
          action: 'failed',
          partitions: [],
          rows: 0,
          detail: err instanceof Error ? err.message.split('\n')[0] : String(err),
        });
      }
    }
    return out;
  }

  /** Each rollup's partitions, freshness and size. */
  async status(): Promise<RollupStatus[]> {
    const exists = await this.#hasSchema();
    const state = exists ? await this.#state() : new Map();
    const current = new Set((await this.current()).map((p) => p.id));
    const parts = exists
      ? (
          await this.lake.query(
            `SELECT id, strftime(${quoteIdent('partition')}, '%Y-%m-%dT%H:%M:%S'), rows, strftime(refreshed_at, '%Y-%m-%dT%H:%M:%SZ') FROM ${PARTS} ORDER BY 1, 2`,
          )
        ).rows
      : [];
    const sizes = exists
      ? new Map(
          (
            await this.lake.query(
              `SELECT table_name, file_size_bytes + delete_file_size_bytes FROM ducklake_table_info('lake')`,
            )
          ).rows.map((r) => [String(r[0]), Number(r[1])]),
        )
      : new Map<string, number>();
    return this.plans.map((plan) => {
      const s = state.get(plan.id);
      const mine = parts.filter((r) => r[0] === plan.id);
      return {
        id: plan.id,
        table: `${ROLLUP_SCHEMA}.${plan.table}`,
        problem: plan.problem,
        refresh:
          plan.refreshEveryMs === undefined ? 'after each sync' : `every ${plan.refreshEveryMs / 1000} s`,
        built: s !== undefined && s.hash === plan.hash,
        current: current.has(plan.id),
        refreshedAt: s?.refreshedAt,
        snapshot: s?.snapshot,
        rows: mine.reduce((n, r) => n + Number(r[2]), 0),
        bytes: sizes.get(plan.table) ?? 0,
        partitions: mine.map((r) => ({
          partition: (r[1] as string | null) ?? null,
          rows: Number(r[2]),
          refreshedAt: String(r[3]),
        })),
      };
    });
  }

  async #refreshOne(
    plan: RollupPlan,
    options: { force?: boolean; afterSync?: boolean },
  ): Promise<RollupRefresh> {
    await this.#ensureSchema();
    const state = (await this.#state()).get(plan.id);
    const snapshot = await this.#snapshot();
    if (options.afterSync && plan.refreshEveryMs !== undefined && state?.refreshedAt) {
      const age = Date.now() - Date.parse(state.refreshedAt);
      if (age < plan.refreshEveryMs)
        return {
          id: plan.id,
          action: 'skipped',
          partitions: [],
          rows: 0,
          detail: `refresh_key every ${plan.refreshEveryMs / 1000} s: refreshed ${Math.round(age / 1000)} s ago`,
        };
    }
    const full = options.force || !state || state.hash !== plan.hash;
    const changes = full ? 'all' : await this.#changed(plan, state.snapshot, snapshot);
    // Nothing it reads changed since it was built: it is current, and no commit is made.
    if (changes === null || (changes !== 'all' && changes.length === 0))
      return { id: plan.id, action: 'unchanged', partitions: [], rows: 0 };
    const table = `${SCHEMA}.${quoteIdent(plan.table)}`;
    const what = changes === 'all' ? 'all partitions' : `${changes.length} partition(s)`;
    return this.lake.withTransaction(
      { author: AUTHOR, message: `pre-aggregation ${plan.id}: ${what}` },
      async (tx) => {
        let rows: number;
        if (changes === 'all') {
          const { sql, params } = rollupSelect(plan, this.model, this.types, this.dialect);
          await tx.run(`CREATE OR REPLACE TABLE ${table} AS ${sql}`, params as Params);
          await tx.run(`DELETE FROM ${PARTS} WHERE id = $1`, [plan.id]);
          rows = Number((await tx.all(`SELECT count(*) FROM ${table}`)).rows[0]?.[0] ?? 0);
        } else {
          const { sql, params } = rollupSelect(plan, this.model, this.types, this.dialect, changes);
          const listed = changes.filter((p): p is string => p !== null);
          const conds = listed.length
            ? [
                `${quoteIdent(PARTITION_COLUMN)} IN (${listed.map((p) => `CAST(${quoteLiteral(p)} AS TIMESTAMP)`).join(', ')})`,
              ]
            : [];
          if (changes.includes(null)) conds.push(`${quoteIdent(PARTITION_COLUMN)} IS NULL`);
          await tx.run(`DELETE FROM ${table} WHERE ${conds.join(' OR ')}`);
          await tx.run(`INSERT INTO ${table} BY NAME ${sql}`, params as Params);
          const partCond = conds
            .join(' OR ')
            .replaceAll(quoteIdent(PARTITION_COLUMN), quoteIdent('partition'));
          await tx.run(`DELETE FROM ${PARTS} WHERE id = $1 AND (${partCond})`, [plan.id]);
          rows = Number(
            (await tx.all(`SELECT count(*) FROM ${table} WHERE ${conds.join(' OR ')}`)).rows[0]?.[0] ?? 0,
          );
        }
        const partition = plan.partition ? quoteIdent(PARTITION_COLUMN) : 'CAST(NULL AS TIMESTAMP)';
        const which =
          changes === 'all' || !plan.partition
            ? ''
            : ` WHERE ${changes.map((p) => (p === null ? `${partition} IS NULL` : `${partition} = CAST(${quoteLiteral(p)} AS TIMESTAMP)`)).join(' OR ')}`;
        await tx.run(
          `INSERT INTO ${PARTS} SELECT $1, ${partition}, count(*), now(), $2 FROM ${table}${which} GROUP BY 2`,
          [plan.id, snapshot],
        );
        await this.#writeState(tx, plan, snapshot);
        return {
          id: plan.id,
          action: changes === 'all' ? 'built' : 'refreshed',
          partitions: changes,
          rows,
        };
      },
    );
  }

  async #writeState(tx: WriteTransaction, plan: RollupPlan, snapshot: number): Promise<void> {
    await tx.run(`DELETE FROM ${STATE} WHERE id = $1`, [plan.id]);
    await tx.run(`INSERT INTO ${STATE} VALUES ($1, $2, $3, now())`, [plan.id, plan.hash, snapshot]);
  }

  /**
   * What changed in the rollup's tables after `from` up to `to`: null for nothing, `all` when it
   * cannot be narrowed to partitions, or the partitions (bucket starts) of the root's changed rows.
   */
  async #changed(plan: RollupPlan, from: number, to: number): Promise<Array<string | null> | 'all' | null> {
    if (from >= to) return null;
    const changes = (s: { schema: string; table: string }) =>
      `ducklake_table_changes('lake', ${quoteLiteral(s.schema)}, ${quoteLiteral(s.table)}, ${from + 1}, ${to})`;
    try {
      const [root, ...joined] = plan.sources;
      for (const s of joined)
        if ((await this.lake.query(`SELECT 1 FROM ${changes(s)} LIMIT 1`)).rows.length) return 'all';
      const list = partitionsOf(plan, this.model, this.types, this.dialect, changes(root!));
      if (list === null)
        return (await this.lake.query(`SELECT 1 FROM ${changes(root!)} LIMIT 1`)).rows.length ? 'all' : null;
      const rows = (
        await this.lake.query(`SELECT strftime(p, '%Y-%m-%dT%H:%M:%S') FROM (${list}) ORDER BY 1`)
      ).rows;
      return rows.length ? rows.map((r) => (r[0] as string | null) ?? null) : null;
    } catch {
      // The table was replaced or its columns changed: its changes cannot be read row by row.
      return 'all';
    }
  }

  async #hasSchema(): Promise<boolean> {
    const r = await this.lake.query(
      `SELECT count(*) FROM duckdb_tables() WHERE database_name = 'lake' AND schema_name = $1 AND table_name = '__state'`,
      [ROLLUP_SCHEMA],
    );
    return Number(r.rows[0]?.[0] ?? 0) > 0;
  }

  async #ensureSchema(): Promise<void> {
    if (await this.#hasSchema()) return;
    await this.lake.withTransaction(
      { author: AUTHOR, message: 'create pre-aggregation schema' },
      async (tx) => {
        await tx.run(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
        await tx.run(
          `CREATE TABLE IF NOT EXISTS ${STATE} (id VARCHAR, hash VARCHAR, snapshot BIGINT, refreshed_at TIMESTAMPTZ)`,
        );
        await tx.run(
          `CREATE TABLE IF NOT EXISTS ${PARTS} (id VARCHAR, ${quoteIdent('partition')} TIMESTAMP, rows BIGINT, refreshed_at TIMESTAMPTZ, snapshot BIGINT)`,
        );
      },
      { retryOnConflict: true },
    );
  }

  async #state(): Promise<Map<string, { hash: string; snapshot: number; refreshedAt: string }>> {
    const r = await this.lake.query(
      `SELECT id, hash, snapshot, strftime(refreshed_at, '%Y-%m-%dT%H:%M:%SZ') FROM ${STATE}`,
    );
    return new Map(
      r.rows.map((x) => [
        String(x[0]),
        { hash: String(x[1]), snapshot: Number(x[2]), refreshedAt: String(x[3]) },
      ]),
    );
  }

  async #snapshot(): Promise<number> {
    const r = await this.lake.query('SELECT id FROM lake.current_snapshot()');
    return Number(r.rows[0]?.[0] ?? 0);
  }
}
