import type { CallerContext } from '../agent/index.ts';
import { isAnalystError, quoteLiteral } from '../core/index.ts';
import type { CubeQuery } from '../semantic/index.ts';
import type { Expectation } from './case-schema.ts';
import type { EvalEnvironment } from './environment.ts';
import { EvalSuiteError } from './errors.ts';

/** A gold result: its rows, and where they came from (for the report). */
export interface Gold {
  rows: unknown[][];
  source: string;
}

/**
 * Compute the expected rows of an `ok` expectation: a gold semantic query run under `gold_as`
 * (default admin), gold SQL run as admin with the asking user's attributes substituted, or literal
 * values. Real computations over the same data the answer came from, never numbers typed by hand.
 *
 * @example await computeGold({ status: 'ok', sql: 'SELECT count(*) FROM patients', … }, env, ctx)
 */
export async function computeGold(
  expect: Expectation,
  env: EvalEnvironment,
  asker: CallerContext,
): Promise<Gold> {
  if (expect.values) return { rows: expect.values, source: 'values' };
  if (expect.governed_sql) {
    try {
      return {
        rows: (await env.gate.governedSql(expect.governed_sql, asker)).rows,
        source: `governed SQL as ${asker.userId}`,
      };
    } catch (cause) {
      const why = isAnalystError(cause) ? `${cause.code}: ${cause.message}` : String(cause);
      throw new EvalSuiteError('GOLD_FAILED', `A verified query's SQL failed (${why}); check its file.`, {
        cause,
      });
    }
  }
  if (expect.sql) {
    const sql = expect.sql.replace(/\{user\.([a-z_][a-z0-9_]*)\}/gi, (_, attr: string) => {
      const v = asker.attributes[attr];
      if (v === undefined || v === null) {
        throw new EvalSuiteError(
          'GOLD_FAILED',
          `Gold SQL needs the attribute ${attr} of user ${asker.userId}.`,
        );
      }
      return quoteLiteral(String(v));
    });
    return { rows: await env.goldSql(sql), source: 'sql' };
  }
  if (expect.query) {
    const ctx = env.user(expect.gold_as ?? 'admin');
    const query = expect.query as CubeQuery;
    try {
      const response = await env.semantic.load(query, ctx);
      const keys = [
        ...(query.dimensions ?? []),
        ...(query.timeDimensions ?? [])
          .filter((t) => t.granularity)
          .map((t) => `${t.dimension}.${t.granularity}`),
        ...(query.measures ?? []),
      ];
      return {
        rows: response.data.map((row) => keys.map((k) => (row as Record<string, unknown>)[k] ?? null)),
        source: `query as ${ctx.userId}`,
      };
    } catch (cause) {
      const why = isAnalystError(cause) ? `${cause.code}: ${cause.message}` : String(cause);
      throw new EvalSuiteError(
        'GOLD_FAILED',
        `A gold semantic query failed (${why}); check the suite file.`,
        {
          cause,
        },
      );
    }
  }
  return { rows: [], source: 'none' };
}
