import { randomUUID } from 'node:crypto';
import { LAKE, type Lakehouse } from './lakehouse.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

// Numbers JSON.parse would round (DuckDB writes query_location as 2^64-1): carried as tagged text.
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
// Random per process, so no literal in the SQL can forge it.
const TAG_ID = randomUUID().slice(0, 8);
const TAG = `\u0000${TAG_ID}:`;
const TAGGED = new RegExp(`"\\\\u0000${TAG_ID}:([-+.0-9eE]+)"`, 'g');

/**
 * The lake as it was at `snapshot`, for trusted SQL (the semantic layer's compiled queries, the
 * gate's policy subqueries): every statement a caller of `query` runs has each lake table read
 * `AT (VERSION => snapshot)`. Statements DuckDB cannot serialise (DESCRIBE, PRAGMA) run as they
 * are. Everything else (writes, snapshots, status) is the lake itself. Today's policies apply,
 * because they are the SQL being rewritten.
 *
 * @example const past = lakeAtSnapshot(lake, 12); await past.query('SELECT count(*) FROM lake.main.t');
 */
export function lakeAtSnapshot(lake: Lakehouse, snapshot: number): Lakehouse {
  if (!Number.isSafeInteger(snapshot) || snapshot < 0) throw new Error('snapshot id must be a whole number');
  const cache = new Map<string, Promise<string>>();
  let at: Promise<Json> | undefined;
  const serialize = async (sql: string): Promise<Json> => {
    const r = await lake.query('SELECT json_serialize_sql($1::VARCHAR)', [sql], { isolated: true });
    return parse(String(r.rows[0]?.[0]));
  };
  const atClause = () => {
    at ??= serialize(`SELECT * FROM t AT (VERSION => ${snapshot})`).then((ast) => {
      const stmt = (ast as { statements: Array<{ node: { from_table: { at_clause: Json } } }> })
        .statements[0];
      return stmt?.node.from_table.at_clause ?? null;
    });
    return at;
  };
  const rewrite = async (sql: string): Promise<string> => {
    const ast = (await serialize(sql)) as { error?: boolean };
    if (ast.error !== false) return sql;
    const clause = await atClause();
    const visit = (v: Json): Json => {
      if (Array.isArray(v)) return v.map(visit);
      if (v === null || typeof v !== 'object') return v;
      const out: { [k: string]: Json } = {};
      for (const [k, x] of Object.entries(v)) out[k] = visit(x);
      if (out.type === 'BASE_TABLE' && String(out.catalog_name).toLowerCase() === LAKE)
        out.at_clause = structuredClone(clause);
      return out;
    };
    const text = JSON.stringify(visit(ast as Json)).replace(TAGGED, (_m, raw: string) => raw);
    const r = await lake.query('SELECT json_deserialize_sql($1::JSON)', [text], { isolated: true });
    return String(r.rows[0]?.[0]);
  };
  const rewritten = (sql: string) => {
    let p = cache.get(sql);
    if (!p) {
      if (cache.size > 500) cache.clear();
      p = rewrite(sql);
      p.catch(() => cache.delete(sql));
      cache.set(sql, p);
    }
    return p;
  };
  return new Proxy(lake, {
    get(target, prop) {
      if (prop === 'query')
        return async (sql: string, ...rest: unknown[]) =>
          (target.query as (...a: unknown[]) => unknown)(await rewritten(sql), ...rest);
      if (prop === 'atSnapshot') return snapshot;
      // Copies hold the latest snapshot, never this one: statements run through `query`.
      if (prop === 'queryCopies') return async () => null;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function parse(json: string): Json {
  const safe = json.replace(TOKEN, (token) => {
    if (token.startsWith('"')) return token;
    if (!/[.eE]/.test(token) && Number.isSafeInteger(Number(token))) return token;
    return JSON.stringify(TAG + token);
  });
  return JSON.parse(safe) as Json;
}
