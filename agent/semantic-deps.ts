import { hasCode } from '../core/index.ts';
import type { Gate } from '../gate/index.ts';
import type { Lakehouse, ResultColumn } from '../lakehouse/index.ts';
import type { FlatCubeQuery, SecurityContext, SemanticLayer } from '../semantic/index.ts';
import type { LexiconCube as MetaCube, LexiconValues as ValueIndex } from './interpreter/index.ts';
import { classifyColumn, type IdentifierKind, type KnownIdentifier } from './phi/index.ts';
import type { AgentDeps, TabularResult } from './types.ts';

/**
 * Most distinct values a dimension may have to enter the value index (beyond that, it is an id or
 * free text). Coded descriptions (diagnoses, procedures, drugs) run to hundreds even in small data.
 */
const VALUE_INDEX_MAX = 1000;
const TYPE_FOR: Record<string, string> = {
  number: 'DOUBLE',
  time: 'TIMESTAMP',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
};

/**
 * The agent's dependencies over the real system: the semantic layer for the caller's visible
 * model, values and semantic queries, and the governed SQL gate for SQL. Both apply the caller's
 * policies; nothing here reaches the lake directly.
 */
export function semanticAgentDeps(options: {
  semantic: SemanticLayer;
  gate: Gate<SecurityContext>;
  audit?: AgentDeps['audit'];
  now?: () => Date;
  /** The workspace's verified queries, reused before planning. */
  verifiedQueries?: AgentDeps['verifiedQueries'];
  /** The lake, for the local name index (see nameIndex); without it only visible names are known. */
  lake?: Lakehouse | undefined;
}): AgentDeps {
  const { semantic, gate, lake } = options;
  let names: { at: number; value: Promise<KnownIdentifier[]> } | undefined;
  return {
    meta: async (ctx) =>
      semantic.meta(ctx).cubes.filter((c) => c.isVisible !== false) as unknown as MetaCube[],
    values: (ctx) => valueIndex(semantic, gate, ctx),
    localValues: (ctx) => localValueIndex(semantic, gate, ctx),
    runSemantic: async (query, ctx) => {
      const response = await semantic.load(query, ctx);
      const sql = semantic.sql(query, ctx).sql.sql[0];
      return {
        ...tabular(query, response),
        sql,
        relations: [...new Set(memberNames(query).map((m) => m.split('.')[0] as string))],
      };
    },
    runSql: async (sql, ctx) => gate.governedSql(sql, ctx),
    identifiers: (ctx) => knownIdentifiers(semantic, gate, ctx),
    nameIndex: lake
      ? () => {
          // Built once and kept a few minutes: a sync reloads the runtime, and with it these deps.
          if (!names || Date.now() - names.at > NAME_INDEX_TTL_MS) {
            const value = nameIndex(lake);
            value.catch(() => {
              names = undefined;
            });
            names = { at: Date.now(), value };
          }
          return names.value;
        }
      : undefined,
    audit: options.audit,
    verifiedQueries: options.verifiedQueries,
    now: options.now,
  };
}

/**
 * Distinct values of each low-cardinality string dimension the caller may see, read through the
 * governed SQL gate so the caller's row policy applies. Two scans per cube: approximate distinct
 * counts, then the values of the columns that qualify. Masked and identifier-tagged columns are
 * left out: the index exists to recognise words like "Humana" or "ambulatory", not names.
 */
export async function valueIndex(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
): Promise<ValueIndex> {
  return readValues(semantic, gate, ctx, (phi) => phi !== 'direct' && phi !== 'quasi', VALUE_INDEX_MAX);
}

/**
 * Most distinct values of a PHI-tagged label (people's first or last names, their city) in the
 * local index: names run to thousands where coded text runs to hundreds.
 */
const LOCAL_INDEX_MAX = 20_000;

/**
 * The LOCAL value index: distinct values of PHI-tagged text dimensions (`phi: direct` or `quasi`:
 * a patient's first and last name, city, county) that the caller sees unmasked, read through the
 * gate under their row policy, so the offline interpreter recognises "Jane Roe" or a patient's
 * town typed in a question. It stays in this process: it is passed to `buildLexicon` as local
 * values only, which `retrieveValues` never returns, so none of it enters a model endpoint's
 * prompt or the PHI boundary's vocabulary. Keys and id-like columns are left out; masked columns
 * add nothing.
 *
 * @example buildLexicon(meta, await valueIndex(…), await localValueIndex(semantic, gate, ctx))
 */
export async function localValueIndex(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
): Promise<ValueIndex> {
  return readValues(semantic, gate, ctx, (phi) => phi === 'direct' || phi === 'quasi', LOCAL_INDEX_MAX, true);
}

async function readValues(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
  admit: (phi: string | undefined) => boolean,
  max: number,
  /** Also say which values more than one row holds (a name two people share: no single record). */
  withShared = false,
): Promise<ValueIndex> {
  const cubes = semantic.meta(ctx).cubes.filter((c) => c.type === 'cube');
  const relations = relationsOrNone(semantic, ctx);
  const out: Array<{
    dimension: string;
    values: string[];
    shared?: string[];
    holders?: Record<string, Array<{ key: string; detail: string }>>;
  }> = [];
  for (const cube of cubes) {
    const rel = relations.get(cube.name);
    if (!rel) continue;
    const eligible = new Set(
      cube.dimensions
        .filter((d) => d.type === 'string' && !d.primaryKey)
        .filter((d) => {
          const meta = d.meta as { phi?: string; person_key?: boolean } | undefined;
          return admit(meta?.phi) && !meta?.person_key;
        })
        .map((d) => d.name.slice(cube.name.length + 1)),
    );
    const cols = rel.columns.filter(
      (c) => !c.masked && eligible.has(c.name) && /VARCHAR|TEXT|STRING/i.test(c.type),
    );
    // Labels the model says several records share (meta `unique: false`: sites of one name).
    const notUnique = new Set(
      cube.dimensions
        .filter((d) => (d.meta as { unique?: boolean } | undefined)?.unique === false)
        .map((d) => d.name.slice(cube.name.length + 1)),
    );
    const pkName = cube.dimensions.find((d) => d.primaryKey)?.name.slice(cube.name.length + 1);
    const pk = rel.columns.find((c) => c.name === pkName && !c.masked);
    if (!cols.length) continue;
    const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
    try {
      const counts = await gate.governedSql(
        `SELECT ${cols.map((c) => `approx_count_distinct(${q(c.name)}) AS ${q(c.name)}`).join(', ')} FROM ${q(cube.name)}`,
        ctx,
      );
      const small = cols.filter(
        (_, i) => Number(counts.rows[0]?.[i] ?? Number.POSITIVE_INFINITY) <= max * 1.2,
      );
      if (!small.length) continue;
      const lists = await gate.governedSql(
        `SELECT ${small.map((c) => `list(DISTINCT ${q(c.name)}) AS ${q(c.name)}`).join(', ')} FROM ${q(cube.name)}`,
        ctx,
      );
      const shared = new Map<string, string[]>();
      const holders = new Map<string, Record<string, Array<{ key: string; detail: string }>>>();
      for (const c of small) {
        if (!notUnique.has(c.name) || !pk) continue;
        holders.set(c.name, await sharedHolders(gate, ctx, cube.name, c.name, pk.name, cols, max));
        shared.set(c.name, Object.keys(holders.get(c.name) ?? {}));
      }
      if (withShared)
        for (const c of small) {
          if (shared.has(c.name)) continue;
          const r = await gate.governedSql(
            `SELECT ${q(c.name)} FROM ${q(cube.name)} WHERE ${q(c.name)} IS NOT NULL GROUP BY 1 HAVING count(*) > 1`,
            ctx,
            { maxRows: max },
          );
          shared.set(
            c.name,
            r.rows.map((row) => row[0]).filter((v): v is string => typeof v === 'string'),
          );
        }
      small.forEach((c, i) => {
        const values = ((lists.rows[0]?.[i] as unknown[]) ?? []).filter(
          (v): v is string => typeof v === 'string' && v.trim().length > 1,
        );
        // Keys (UUIDs, numeric codes) are not words anyone asks with.
        const idLike = values.filter((v) => /^[0-9a-f]{8}-[0-9a-f-]{20,}$|^[0-9]+$/i.test(v)).length;
        if (values.length && values.length <= max && idLike * 2 < values.length)
          out.push({
            dimension: `${cube.name}.${c.name}`,
            values: values.sort(),
            ...(shared.get(c.name)?.length ? { shared: shared.get(c.name) } : {}),
            ...(Object.keys(holders.get(c.name) ?? {}).length ? { holders: holders.get(c.name) } : {}),
          });
      });
    } catch {
      // A cube the caller cannot query (a table missing from the lake) simply has no values.
    }
  }
  return out.sort((a, b) => a.dimension.localeCompare(b.dimension));
}

/**
 * The records behind each value of a label several records share (meta `unique: false`): their
 * key, and what tells them apart — the other text fields (of those indexed) whose values differ
 * between records of the same label, up to two ("330 MOUNT AUBURN ST, CAMBRIDGE").
 */
async function sharedHolders(
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
  cube: string,
  label: string,
  key: string,
  columns: ReadonlyArray<{ name: string }>,
  max: number,
): Promise<Record<string, Array<{ key: string; detail: string }>>> {
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const others = columns.filter((c) => c.name !== label && c.name !== key).map((c) => c.name);
  const r = await gate.governedSql(
    `SELECT ${[label, key, ...others].map(q).join(', ')} FROM ${q(cube)} WHERE ${q(label)} IN (SELECT ${q(label)} FROM ${q(cube)} WHERE ${q(label)} IS NOT NULL GROUP BY 1 HAVING count(DISTINCT ${q(key)}) > 1) ORDER BY 1, 2`,
    ctx,
    { maxRows: max },
  );
  const groups = new Map<string, unknown[][]>();
  for (const row of r.rows) {
    if (typeof row[0] !== 'string' || row[1] === null || row[1] === undefined) continue;
    groups.set(row[0], [...(groups.get(row[0]) ?? []), row]);
  }
  const out: Record<string, Array<{ key: string; detail: string }>> = {};
  for (const [value, rows] of groups) {
    const telling = others
      .map((_, i) => i + 2)
      .filter((i) => new Set(rows.map((row) => String(row[i] ?? ''))).size > 1)
      .slice(0, 2);
    out[value] = rows.map((row) => ({
      key: String(row[1]),
      detail: telling
        .map((i) => row[i])
        .filter((v) => v !== null && v !== undefined && String(v).trim() !== '')
        .join(', '),
    }));
  }
  return out;
}

const NAME_INDEX_TTL_MS = 5 * 60_000;

/** The placeholder kind for a name-like column, from its name. */
function kindOf(column: string): IdentifierKind {
  if (/ssn|social/i.test(column)) return 'SSN';
  if (/address|street|city|county|town|birthplace/i.test(column)) return 'ADDRESS';
  if (/name|first|last|maiden|prefix|suffix|given|family/i.test(column)) return 'NAME';
  return 'ID';
}

/**
 * Every value of every name-like text column in the lake — tagged `phi: direct`, or `quasi` with a
 * name that says name, address or place (city, county) — over ALL rows, whatever any caller may
 * see. It stays in this process: the PHI boundary uses it to recognise what a user types (a name
 * outside their organisation still becomes a placeholder), and nothing of it is ever sent. Read
 * straight from the lake because no caller's policy applies to a local safety index; at most
 * `limit` values.
 *
 * @example const known = await nameIndex(lake); new PhiBoundary({ level: 'none', knownIdentifiers: known })
 */
export async function nameIndex(lake: Lakehouse, limit = 200_000): Promise<KnownIdentifier[]> {
  const out = new Map<string, KnownIdentifier>();
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  for (const table of await lake.listTables()) {
    const columns = table.columns.filter((c) => {
      if (!/VARCHAR|TEXT|STRING/i.test(c.type)) return false;
      if (c.tags.phi === 'direct') return true;
      return c.tags.phi === 'quasi' && classifyColumn({ name: c.name, type: c.type }) === 'remove';
    });
    for (const c of columns) {
      if (out.size >= limit) break;
      const r = await lake.query(`SELECT DISTINCT ${q(c.name)} FROM ${lake.tableRef(table.name)}`, [], {
        maxRows: limit - out.size,
      });
      const kind = kindOf(c.name);
      for (const [v] of r.rows) {
        if (typeof v !== 'string') continue;
        const value = v.trim();
        if (value.length > 2 && !out.has(value.toLowerCase())) out.set(value.toLowerCase(), { value, kind });
      }
    }
  }
  return [...out.values()];
}

/**
 * Values of direct-identifier columns the caller can see (patient names, record numbers), read
 * through the gate under their policy, for the PHI boundary to recognise in questions. Masked
 * columns add nothing; at most `limit` values.
 */
export async function knownIdentifiers(
  semantic: SemanticLayer,
  gate: Gate<SecurityContext>,
  ctx: SecurityContext,
  limit = 50_000,
): Promise<string[]> {
  const out = new Set<string>();
  const relations = relationsOrNone(semantic, ctx);
  for (const cube of semantic.meta(ctx).cubes.filter((c) => c.type === 'cube')) {
    const rel = relations.get(cube.name);
    const direct = cube.dimensions
      .filter((d) => d.type === 'string' && (d.meta as { phi?: string } | undefined)?.phi === 'direct')
      .map((d) => d.name.slice(cube.name.length + 1))
      .filter((n) => rel?.columns.some((c) => c.name === n && !c.masked));
    for (const col of direct) {
      if (out.size >= limit) break;
      try {
        const r = await gate.governedSql(
          `SELECT DISTINCT "${col.replaceAll('"', '""')}" FROM "${cube.name}"`,
          ctx,
          { maxRows: limit - out.size },
        );
        for (const [v] of r.rows) if (typeof v === 'string' && v.trim().length > 2) out.add(v.trim());
      } catch {
        // Unqueryable for this caller: nothing to recognise.
      }
    }
  }
  return [...out];
}

function memberNames(q: FlatCubeQuery): string[] {
  return [
    ...(q.measures ?? []),
    ...(q.dimensions ?? []),
    ...(q.timeDimensions ?? []).map((t) => t.dimension),
  ];
}

/** Cube's `data` objects as typed columns and rows, in the query's member order. */
function tabular(query: FlatCubeQuery, response: Awaited<ReturnType<SemanticLayer['load']>>): TabularResult {
  const ann = response.annotation;
  const keys: Array<{ key: string; type: string }> = [
    ...(query.dimensions ?? []).map((k) => ({ key: k, type: ann.dimensions[k]?.type ?? 'string' })),
    ...(query.timeDimensions ?? [])
      .filter((t) => t.granularity)
      .map((t) => ({ key: `${t.dimension}.${t.granularity}`, type: 'time' })),
    ...(query.measures ?? []).map((k) => ({ key: k, type: ann.measures[k]?.type ?? 'number' })),
  ];
  const columns: ResultColumn[] = keys.map((k) => ({ name: k.key, type: TYPE_FOR[k.type] ?? 'VARCHAR' }));
  const rows = response.data.map((row) => keys.map((k) => row[k.key] ?? null));
  const withheld = response.data.flatMap((row, i) => (row.suppressed === true ? [i] : []));
  return response.minGroupSize !== undefined && withheld.length
    ? { columns, rows, suppressed: { minGroupSize: response.minGroupSize, rows: withheld } }
    : { columns, rows };
}

/** The caller's governed relations; none for a role refused governed SQL (small-cell suppression). */
function relationsOrNone(
  semantic: SemanticLayer,
  ctx: SecurityContext,
): ReturnType<SemanticLayer['governedRelations']> {
  try {
    return semantic.governedRelations(ctx);
  } catch (err) {
    if (hasCode(err, 'ACCESS_DENIED')) return new Map();
    throw err;
  }
}
