import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import { compileCohort } from './cohort.ts';
import type { Lexicon } from './lexicon.ts';
import type { CohortSide, ComparedGroup, Condition, Figure, LogicalForm, Stat } from './logical-form.ts';
import { timeRangeSql, utcTime } from './time-filter.ts';

function column(lexicon: Lexicon, member: string, alias?: string): string {
  const m = lexicon.members.get(member);
  const col = quoteIdent(m?.column ?? member.split('.').slice(1).join('.'));
  return alias ? `${alias}.${col}` : col;
}

/** A form's value column, less another of the same rows when it says so ("claim cost minus payer coverage"). */
function valueColumn(
  lexicon: Lexicon,
  f: { value?: string | undefined; less?: string | undefined },
  alias?: string,
): string {
  const v = column(lexicon, f.value as string, alias);
  return f.less ? `(${v} - ${column(lexicon, f.less, alias)})` : v;
}

function condition(lexicon: Lexicon, c: Condition, alias?: string): string {
  const col = column(lexicon, c.member, alias);
  switch (c.op) {
    case 'in':
      return `${col} IN (${c.values.map(quoteLiteral).join(', ')})`;
    case 'is_true':
      return `${col} = true`;
    case 'is_false':
      return `${col} = false`;
    case 'is_null':
      return `${col} IS NULL`;
    case 'is_not_null':
      return `${col} IS NOT NULL`;
    default: {
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op];
      return `${col} ${op} ${Number(c.value)}`;
    }
  }
}

function conditions(lexicon: Lexicon, f: LogicalForm, alias?: string): string[] {
  // A condition on a cube the rows point at ("the payer is Medicaid") goes through the key.
  const parts = f.filters.map((c) =>
    alias ? condition(lexicon, c, alias) : conditionThroughKey(lexicon, f.cube, c),
  );
  // Rows of records in a cohort: the cohort's own statement (over the caller's cubes) as a set.
  for (const w of 'within' in f ? (f.within ?? []) : [])
    parts.push(`${column(lexicon, w.key, alias)} IN (${compileCohort(w.cohort, lexicon)})`);
  if (f.time) {
    parts.push(timeRangeSql(column(lexicon, f.time.member, alias), f.time));
  }
  return parts;
}

function side(lexicon: Lexicon, s: CohortSide): string {
  const key = column(lexicon, s.key);
  const parts = [`${key} IS NOT NULL`, ...s.filters.map((c) => condition(lexicon, c))];
  if (s.time) {
    parts.push(timeRangeSql(column(lexicon, s.time.member), s.time));
  }
  return `SELECT DISTINCT ${key} AS entity FROM ${quoteIdent(s.cube)} WHERE ${parts.join(' AND ')}`;
}

function statSql(s: Stat, v: string): string {
  switch (s.stat) {
    case 'percentile':
      return `quantile_cont(${v}, ${s.p / 100})`;
    case 'median':
      return `median(${v})`;
    case 'stddev':
      return `stddev_samp(${v})`;
    case 'variance':
      return `var_samp(${v})`;
    case 'range':
      return `max(${v}) - min(${v})`;
    case 'iqr':
      return `quantile_cont(${v}, 0.75) - quantile_cont(${v}, 0.25)`;
    case 'count':
      return 'count(*)';
    default:
      return `${s.stat}(${v})`;
  }
}

function statName(s: Stat): string {
  return s.stat === 'percentile' ? `p${s.p}` : s.stat;
}

/** What an entity is known by (a provider's name), when the caller sees it and it names no person. */
function entityLabels(lexicon: Lexicon, entity: string): string[] {
  const c = lexicon.cubes.get(entity);
  if (!c?.primaryKey) return [];
  // A person's name is a direct identifier: shown only when asked for (minimum necessary).
  const label = c.label && lexicon.members.get(c.label);
  return label && !label.masked && label.phi !== 'direct' ? [label.member] : [];
}

/** An entity listed by its key, with its name beside it when there is one. */
function labelled(lexicon: Lexicon, entity: string, key: string): string {
  // Result columns keep their own names, never a member's.
  const shown = entityLabels(lexicon, entity).map(
    (l) =>
      `, e.${column(lexicon, l)} AS ${quoteIdent(`${lexicon.members.get(l)?.column ?? 'label'} of entity`)}`,
  );
  return `${key} AS entity${shown.join('')}`;
}

function labelJoin(lexicon: Lexicon, entity: string, key: string): string {
  const pk = lexicon.cubes.get(entity)?.primaryKey;
  return entityLabels(lexicon, entity).length && pk
    ? ` LEFT JOIN ${quoteIdent(entity)} AS e ON e.${column(lexicon, pk)} = ${key}`
    : '';
}

/** The measured figure's column in a threshold list: what was counted or added up, in the result's own words. */
function thresholdColumn(lexicon: Lexicon, f: Extract<LogicalForm, { kind: 'threshold' }>): string {
  const less = f.less ? ` minus ${lexicon.members.get(f.less)?.column ?? f.less}` : '';
  return `${lexicon.members.get(f.value ?? '')?.column ?? f.value}${less} ${f.agg === 'avg' ? 'averaged' : 'summed'} per entity`;
}

function where(lexicon: Lexicon, f: LogicalForm): string {
  const parts = conditions(lexicon, f);
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/**
 * Governed SQL for the kinds the semantic layer cannot express: a statement over the caller's
 * cubes by name (their dimensions as columns), run through the gate, so the caller's row and
 * member policies apply as to every other statement.
 *
 * @example compileSql({ kind: 'distribution', stat: 'median', cube: 'encounters', value: 'encounters.total_claim_cost', filters: [] }, lexicon)
 * // SELECT median("total_claim_cost") AS "median" FROM "encounters"
 */
export function compileSql(f: LogicalForm, lexicon: Lexicon): string {
  if (f.kind === 'distribution' && f.per) return compilePerEntity(f, lexicon);
  if (f.kind === 'per_entity' && f.over === 'all') return compileOverAll(f, lexicon);
  if (f.kind === 'per_entity' && f.distinct) return compileDistinctPerEntity(f, lexicon);
  if (f.kind === 'share' && !f.condition && !f.part && f.groupBy) return compileComposition(f, lexicon);
  const sql = compileOne(f, lexicon);
  // A count of rows (or of distinct records) broken down: "encounters for each patient" of a cohort.
  const breaksDown =
    ['distribution', 'share', 'per_entity'].includes(f.kind) || (f.kind === 'aggregate' && !f.list);
  if (!f.groupBy || !breaksDown) return sql;
  // A breakdown: the same figure per group, the groups first; result columns keep their own names.
  const groups = breakdowns(lexicon, f);
  const picked = groups.map((g) => `${g.expr} AS ${quoteIdent(g.label)}`).join(', ');
  const by = groups.map((_, i) => i + 1).join(', ');
  return `${sql.replace(/^SELECT /, `SELECT ${picked}, `)} GROUP BY ${by} ORDER BY ${by}`;
}

/** Every breakdown of a form (`groupBy`, then `thenBy`), in the order said. */
function breakdowns(lexicon: Lexicon, f: LogicalForm): Array<{ expr: string; label: string }> {
  const out = f.groupBy ? [breakdown(lexicon, f.cube, f.groupBy)] : [];
  if (f.thenBy) {
    const next = breakdown(lexicon, f.cube, f.thenBy);
    // Two breakdowns under one result name ("by name" of two cubes): the second says whose.
    out.push(out.some((g) => g.label === next.label) ? { ...next, label: `${next.label} (2)` } : next);
  }
  return out;
}

/** A breakdown's expression over the cube's columns, and its result column's name. */
function breakdown(lexicon: Lexicon, cube: string, g: NonNullable<LogicalForm['groupBy']>) {
  const owner = 'member' in g ? lexicon.members.get(g.member)?.cube : cube;
  const expr =
    'member' in g
      ? owner && owner !== cube
        ? throughKey(lexicon, cube, owner, g.member)
        : column(lexicon, g.member)
      : `CAST(date_trunc(${quoteLiteral(g.grain)}, ${utcTime(column(lexicon, lexicon.cubes.get(cube)?.timeDimension as string))}) AS DATE)`;
  const label = 'member' in g ? `by ${lexicon.members.get(g.member)?.column ?? g.member}` : 'period';
  return { expr, label };
}

/** A dimension of the cube a row points at through its key, read for each row. */
function throughKey(lexicon: Lexicon, cube: string, owner: string, member: string): string {
  const key = lexicon.cubes.get(cube)?.keys.get(owner) as string;
  const pk = lexicon.cubes.get(owner)?.primaryKey as string;
  return `(SELECT o.${column(lexicon, member)} FROM ${quoteIdent(owner)} AS o WHERE o.${column(lexicon, pk)} = ${quoteIdent(cube)}.${column(lexicon, key)})`;
}

/**
 * Each group's part of the whole: its rows (or its sum of a column) beside their share of all the
 * rows kept (or of the column's sum over them).
 */
function compileComposition(f: Extract<LogicalForm, { kind: 'share' }>, lexicon: Lexicon): string {
  const groups = breakdowns(lexicon, f);
  const figure = f.value ? `sum(${column(lexicon, f.value)})` : 'count(*)';
  const name = f.value ? (lexicon.members.get(f.value)?.column ?? 'value') : 'rows';
  const picked = groups.map((g) => `${g.expr} AS ${quoteIdent(g.label)}`).join(', ');
  const by = groups.map((_, i) => i + 1).join(', ');
  // Broken down twice: each group's part of the whole of its `thenBy` group.
  const whole =
    groups.length > 1 && f.whole !== 'all' ? `PARTITION BY ${groups[groups.length - 1]?.expr}` : '';
  return `SELECT ${picked}, ${figure} AS ${quoteIdent(name)}, ${figure} * 1.0 / nullif(sum(${figure}) OVER (${whole}), 0) AS "share" FROM ${quoteIdent(f.cube)}${where(lexicon, f)} GROUP BY ${by} ORDER BY ${by}`;
}

type PerEntityStat = Extract<LogicalForm, { kind: 'distribution' }>;

/** A column in the unit the question asked for ("in hours" of a column kept in minutes). */
function scaled(v: string, f: PerEntityStat): string {
  if (!f.unit || f.unit.from === f.unit.to) return v;
  const { from, to } = f.unit;
  return from > to ? `(${v} * ${from / to}.0)` : `(${v} / ${to / from}.0)`;
}

/**
 * A statistic over entities of each one's figure: the rows counted (or a column summed) per
 * entity first, then the statistic over those figures — per group when broken down.
 */
function compilePerEntity(f: PerEntityStat, lexicon: Lexicon): string {
  const per = f.per as { key: string; entity: string; distinct?: string | undefined };
  const key = column(lexicon, per.key);
  const figure = per.distinct
    ? `count(DISTINCT ${column(lexicon, per.distinct)})`
    : f.value
      ? `sum(${scaled(valueColumn(lexicon, f), f)})`
      : 'count(*)';
  const parts = [...conditions(lexicon, f), `${key} IS NOT NULL`];
  const stats: Stat[] = [f, ...(f.also ?? [])];
  const pick = stats.map((s) => `${statSql(s, 'n')} AS ${quoteIdent(statName(s))}`);
  if (!f.groupBy)
    return `SELECT ${pick.join(', ')} FROM (SELECT ${key} AS entity, ${figure} AS n FROM ${quoteIdent(f.cube)} WHERE ${parts.join(' AND ')} GROUP BY 1) AS t`;
  const g = grouped(lexicon, f);
  return `SELECT ${g.outer}, ${pick.join(', ')} FROM (SELECT ${g.inner}, ${key} AS entity, ${figure} AS n FROM ${quoteIdent(f.cube)} WHERE ${parts.join(' AND ')} GROUP BY ${g.innerBy}) AS t GROUP BY ${g.by} ORDER BY ${g.by}`;
}

/**
 * A statistic over entities broken down: the groups picked inside (`g1`, `g2` beside the entity)
 * and named outside, with the positions to group by at each level.
 */
function grouped(lexicon: Lexicon, f: LogicalForm) {
  const groups = breakdowns(lexicon, f);
  const n = groups.length;
  return {
    inner: groups.map((g, i) => `${g.expr} AS g${i + 1}`).join(', '),
    outer: groups.map((g, i) => `g${i + 1} AS ${quoteIdent(g.label)}`).join(', '),
    innerBy: Array.from({ length: n + 1 }, (_, i) => i + 1).join(', '),
    by: Array.from({ length: n }, (_, i) => i + 1).join(', '),
  };
}

/**
 * Distinct values counted per entity, averaged over the entities with rows ("average number of
 * distinct medications per patient"): each entity's count first, then their mean.
 */
function compileDistinctPerEntity(f: Extract<LogicalForm, { kind: 'per_entity' }>, lexicon: Lexicon): string {
  const key = column(lexicon, f.key);
  const parts = [...conditions(lexicon, f), `${key} IS NOT NULL`];
  const g = f.groupBy ? grouped(lexicon, f) : undefined;
  const inner = `SELECT ${g ? `${g.inner}, ` : ''}${key} AS entity, count(DISTINCT ${column(lexicon, f.distinct as string)}) AS n FROM ${quoteIdent(f.cube)} WHERE ${parts.join(' AND ')} GROUP BY ${g ? g.innerBy : '1'}`;
  return g
    ? `SELECT ${g.outer}, avg(n) AS "per_entity" FROM (${inner}) AS t GROUP BY ${g.by} ORDER BY ${g.by}`
    : `SELECT avg(n) AS "per_entity" FROM (${inner}) AS t`;
}

/**
 * A figure per entity over every record of the entity, those with no rows too ("including patients
 * with none"): the rows (or distinct kinds, or a column's sum) divided by the entity's records.
 */
function compileOverAll(f: Extract<LogicalForm, { kind: 'per_entity' }>, lexicon: Lexicon): string {
  const key = column(lexicon, f.key);
  const parts = [...conditions(lexicon, f), `${key} IS NOT NULL`];
  const rows = `FROM ${quoteIdent(f.cube)} WHERE ${parts.join(' AND ')}`;
  const num = f.distinct
    ? `(SELECT sum(n) FROM (SELECT ${key} AS entity, count(DISTINCT ${column(lexicon, f.distinct)}) AS n ${rows} GROUP BY 1) AS t)`
    : `(SELECT ${f.value ? `coalesce(sum(${column(lexicon, f.value)}), 0)` : 'count(*)'} ${rows})`;
  return `SELECT ${num} * 1.0 / nullif((SELECT count(*) FROM ${quoteIdent(f.entity)}), 0) AS "per_entity"`;
}

function compileOne(f: LogicalForm, lexicon: Lexicon): string {
  const from = quoteIdent(f.cube);
  const w = where(lexicon, f);
  switch (f.kind) {
    case 'aggregate':
      if (f.list) return compileRows(f, lexicon);
      return f.distinct
        ? `SELECT count(DISTINCT ${column(lexicon, f.distinct)}) AS "entities" FROM ${from}${w}`
        : `SELECT count(*) AS "rows" FROM ${from}${w}`;
    case 'distribution': {
      const v = scaled(valueColumn(lexicon, f), f);
      const stats: Stat[] = [f, ...(f.also ?? [])];
      const pick = stats.map((s) => `${statSql(s, v)} AS ${quoteIdent(statName(s))}`);
      return `SELECT ${pick.join(', ')} FROM ${from}${w}`;
    }
    case 'share': {
      const cond = f.condition ? conditionThroughKey(lexicon, f.cube, f.condition) : 'true';
      if (!f.value) return `SELECT avg(CASE WHEN ${cond} THEN 1.0 ELSE 0.0 END) AS "share" FROM ${from}${w}`;
      const v = column(lexicon, f.value);
      if (f.part)
        return `SELECT sum(${column(lexicon, f.part)}) * 1.0 / nullif(sum(${v}), 0) AS "share" FROM ${from}${w}`;
      return `SELECT sum(CASE WHEN ${cond} THEN ${v} ELSE 0 END) * 1.0 / nullif(sum(${v}), 0) AS "share" FROM ${from}${w}`;
    }
    case 'per_entity': {
      const key = column(lexicon, f.key);
      const num = f.value ? `sum(${column(lexicon, f.value)})` : 'count(*)';
      return `SELECT ${num} * 1.0 / nullif(count(DISTINCT ${key}), 0) AS "per_entity" FROM ${from}${w}`;
    }
    case 'threshold': {
      const ops = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=' };
      const op = ops[f.op];
      // "between 5 and 10": the second bound on the same figure.
      const upTo = (x: string) => (f.and ? ` AND ${x} ${ops[f.and.op]} ${Number(f.and.n)}` : '');
      const pk = lexicon.cubes.get(f.entity)?.primaryKey;
      // Kinds of the cube's own rows (by its label), not records another cube points at.
      const kinds = lexicon.members.get(f.key)?.cube === f.entity;
      let inner: string;
      if (f.value && f.agg) {
        // The total or average of a column over each entity's rows; an entity with no rows has a
        // total of 0 ("under 100 in claim costs" includes it), and no average at all.
        const v = `${f.agg}(${valueColumn(lexicon, f, f.agg === 'sum' && pk ? 'c' : undefined)})`;
        if (
          f.agg === 'sum' &&
          pk &&
          !kinds &&
          (f.op === 'lt' || f.op === 'lte' || (f.op === 'gte' && f.n <= 0))
        ) {
          const on = [
            `c.${column(lexicon, f.key)} = e.${column(lexicon, pk)}`,
            ...conditions(lexicon, f, 'c'),
          ];
          const total = `coalesce(${v}, 0)`;
          inner = `SELECT e.${column(lexicon, pk)} AS entity, ${total} AS n FROM ${quoteIdent(f.entity)} AS e LEFT JOIN ${from} AS c ON ${on.join(' AND ')} GROUP BY 1 HAVING ${total} ${op} ${Number(f.n)}${upTo(total)}`;
        } else {
          const own = `${f.agg}(${valueColumn(lexicon, f)})`;
          const key = column(lexicon, f.key);
          const keep = w ? `${w} AND ${key} IS NOT NULL` : ` WHERE ${key} IS NOT NULL`;
          inner = `SELECT ${key} AS entity, ${own} AS n FROM ${from}${keep} GROUP BY 1 HAVING ${own} ${op} ${Number(f.n)}${upTo(own)}`;
        }
      } else if ((f.op === 'gt' && f.n >= 0) || (f.op === 'gte' && f.n >= 1) || !pk || kinds) {
        const key = column(lexicon, f.key);
        const keep = w ? `${w} AND ${key} IS NOT NULL` : ` WHERE ${key} IS NOT NULL`;
        // Distinct values of a member per entity ("10 distinct diagnoses", "20 unique patients").
        const n = f.distinct ? `count(DISTINCT ${column(lexicon, f.distinct)})` : 'count(*)';
        inner = `SELECT ${key} AS entity, ${n} AS n FROM ${from}${keep} GROUP BY 1 HAVING ${n} ${op} ${Math.trunc(f.n)}${upTo(n)}`;
      } else {
        // "fewer than 3 visits" includes the entities with none: count from the entity's side.
        const on = [`c.${column(lexicon, f.key)} = e.${column(lexicon, pk)}`, ...conditions(lexicon, f, 'c')];
        const n = `count(${f.distinct ? 'DISTINCT ' : ''}c.${column(lexicon, f.distinct ?? f.key)})`;
        inner = `SELECT e.${column(lexicon, pk)} AS entity, ${n} AS n FROM ${quoteIdent(f.entity)} AS e LEFT JOIN ${from} AS c ON ${on.join(' AND ')} GROUP BY 1 HAVING ${n} ${op} ${Math.trunc(f.n)}${upTo(n)}`;
      }
      // "… by gender": the entities counted per value of a dimension of their own.
      const by = f.groupBy && 'member' in f.groupBy && !f.list && pk && !kinds ? f.groupBy.member : undefined;
      if (by)
        return `SELECT e.${column(lexicon, by)} AS ${quoteIdent(lexicon.members.get(by)?.column ?? by)}, count(*) AS "entities" FROM (${inner}) AS t JOIN ${quoteIdent(f.entity)} AS e ON e.${column(lexicon, pk as string)} = t.entity GROUP BY 1 ORDER BY 1`;
      return f.list
        ? `SELECT ${kinds ? 't.entity AS entity' : labelled(lexicon, f.entity, 't.entity')}, t.n${f.value && f.agg ? ` AS ${quoteIdent(thresholdColumn(lexicon, f))}` : ''} FROM (${inner}) AS t${kinds ? '' : labelJoin(lexicon, f.entity, 't.entity')} ORDER BY t.n DESC, t.entity`
        : `SELECT count(*) AS "entities" FROM (${inner}) AS t`;
    }
    case 'cumulative': {
      const t = lexicon.cubes.get(f.cube)?.timeDimension as string;
      const n = f.value ? `sum(${valueColumn(lexicon, f)})` : 'count(*)';
      const at = (x: string) => `CAST(date_trunc(${quoteLiteral(f.grain)}, ${x}) AS DATE)`;
      const keep = w
        ? `${w} AND ${column(lexicon, t)} IS NOT NULL`
        : ` WHERE ${column(lexicon, t)} IS NOT NULL`;
      // Broken down ("by class"): a running total within each group.
      const g = f.groupBy ? breakdown(lexicon, f.cube, f.groupBy) : undefined;
      const gIn = g ? `${g.expr} AS g, ` : '';
      const gBy = g ? 'g, ' : '';
      let counts: string;
      if (f.distinct) {
        // Entities counted once each, in the period of their first row kept: the running total of
        // distinct entities up to each period ("distinct patients seen so far").
        const key = column(lexicon, f.distinct);
        counts = `SELECT ${gBy}period, count(*) AS n FROM (SELECT ${gIn}${key} AS entity, ${at(`min(${utcTime(column(lexicon, t))})`)} AS period FROM ${from}${keep} AND ${key} IS NOT NULL GROUP BY ${g ? '1, 2' : '1'}) AS e GROUP BY ${g ? '1, 2' : '1'}`;
      } else
        counts = `SELECT ${gIn}${at(utcTime(column(lexicon, t)))} AS period, ${n} AS n FROM ${from}${keep} GROUP BY ${g ? '1, 2' : '1'}`;
      const over = g ? 'PARTITION BY g ORDER BY period' : 'ORDER BY period';
      return `SELECT ${g ? `g AS ${quoteIdent(g.label)}, ` : ''}period, sum(n) OVER (${over}) AS "running total" FROM (${counts}) AS t ORDER BY ${gBy}period`;
    }
    case 'cohort': {
      if ('terms' in f) return compileCohort(f, lexicon);
      const set = `${side(lexicon, f.first)} ${f.combine === 'and' ? 'INTERSECT' : 'EXCEPT'} ${side(lexicon, f.second)}`;
      return f.list
        ? `SELECT ${labelled(lexicon, f.entity, 't.entity')} FROM (${set}) AS t${labelJoin(lexicon, f.entity, 't.entity')} ORDER BY t.entity`
        : `SELECT count(*) AS "entities" FROM (${set}) AS t`;
    }
    case 'comparison': {
      if (f.groups) return compileGroups(f, lexicon, w);
      if (f.figures) return compileFigures(f, lexicon);
      const agg = f.agg === 'count' ? 'count(*)' : `${f.agg}(${column(lexicon, f.value as string)})`;
      const within = (t: { member: string; from: string; to: string }) =>
        timeRangeSql(column(lexicon, t.member), t);
      const [a, b] = f.periods;
      if (f.rows) {
        // One row per period in time order: its name, its first day, its figure, and the change
        // from the period before (none on the first).
        const inner = `SELECT ${agg} FILTER (WHERE ${within(a)}) AS a, ${agg} FILTER (WHERE ${within(b)}) AS b FROM ${from}${w}`;
        const before = 'lag("value") OVER (ORDER BY k)';
        const day = (t: { from: string }) => `DATE ${quoteLiteral(t.from.slice(0, 10))}`;
        return `SELECT "period", "period start", "value", "value" - ${before} AS "change", ("value" - ${before}) * 1.0 / nullif(${before}, 0) AS "relative change" FROM (SELECT 1 AS k, ${quoteLiteral(a.label)} AS "period", ${day(a)} AS "period start", a AS "value" FROM (${inner}) AS x UNION ALL SELECT 2, ${quoteLiteral(b.label)}, ${day(b)}, b FROM (${inner}) AS y) AS t ORDER BY k`;
      }
      return `SELECT a AS ${quoteIdent(a.label)}, b AS ${quoteIdent(b.label)}, b - a AS "change", (b - a) * 1.0 / nullif(a, 0) AS "relative change" FROM (SELECT ${agg} FILTER (WHERE ${within(a)}) AS a, ${agg} FILTER (WHERE ${within(b)}) AS b FROM ${from}${w}) AS x`;
    }
    case 'lookup': {
      const cond = `${column(lexicon, f.key)} = ${quoteLiteral(f.id)}`;
      // Result columns keep their own names, never a member's: the value of the record, not a measure.
      const pick = f.attributes.flatMap((a) => {
        const name = quoteIdent(`${lexicon.members.get(a)?.column ?? a} of record`);
        // "which payer was billed for encounter <id>": a key into another cube answers with that
        // cube's label (its name) beside the key, looked up through it, when the caller sees it.
        const target = lexicon.cubes.get(lexicon.members.get(a)?.references ?? '');
        const label = target?.label && lexicon.members.get(target.label);
        const key = target?.primaryKey && lexicon.members.get(target.primaryKey);
        const own = `${column(lexicon, a)} AS ${name}`;
        if (target && label && key && !label.masked)
          return [
            own,
            `(SELECT t.${quoteIdent(label.column)} FROM ${quoteIdent(target.name)} AS t WHERE t.${quoteIdent(key.column)} = ${from}.${column(lexicon, a)}) AS ${quoteIdent(`${lexicon.members.get(a)?.column ?? a} ${label.column}`)}`,
          ];
        return [own];
      });
      // The record as the question named it (its id, its name, a person's first and last name)
      // first, then what was asked of it.
      const by = [...f.filters.filter((c) => c.op === 'in').map((c) => c.member), f.key]
        .filter((m, i, all) => all.indexOf(m) === i && !f.attributes.includes(m))
        .map((m) => `${column(lexicon, m)} AS ${quoteIdent(lexicon.members.get(m)?.column ?? m)}`);
      // Found by a name or description many rows share ("Latex (substance)"): each answer once.
      const distinct = f.key === lexicon.cubes.get(f.cube)?.primaryKey ? '' : 'DISTINCT ';
      return `SELECT ${distinct}${[...by, ...pick].join(', ')} FROM ${from}${w ? `${w} AND ${cond}` : ` WHERE ${cond}`}`;
    }
  }
}

type AggregateForm = Extract<LogicalForm, { kind: 'aggregate' }>;

/** A column the caller may be shown beside a listed record: visible unmasked, and no person's name. */
function shown(lexicon: Lexicon, member: string | undefined): member is string {
  const m = member ? lexicon.members.get(member) : undefined;
  return m !== undefined && !m.masked && m.phi !== 'direct';
}

/**
 * The records meeting the filters, listed: each row's key and label (its date when it has no key)
 * beside the figures it was compared on, highest first; or the entities the rows point at
 * (through `distinct`), once each, with their name when they have one.
 */
function compileRows(f: AggregateForm, lexicon: Lexicon): string {
  const from = quoteIdent(f.cube);
  const w = where(lexicon, f);
  if (f.distinct && f.entity) {
    const key = column(lexicon, f.distinct);
    const keep = w ? `${w} AND ${key} IS NOT NULL` : ` WHERE ${key} IS NOT NULL`;
    return `SELECT ${labelled(lexicon, f.entity, 't.entity')} FROM (SELECT DISTINCT ${key} AS entity FROM ${from}${keep}) AS t${labelJoin(lexicon, f.entity, 't.entity')} ORDER BY t.entity`;
  }
  const cube = lexicon.cubes.get(f.cube);
  const figures = f.filters.filter((c) => ['gt', 'gte', 'lt', 'lte'].includes(c.op)).map((c) => c.member);
  // The key even when masked (the gate shows it as its stand-in): it tells the records apart.
  const own = [
    cube?.primaryKey,
    ...[cube?.label, cube?.primaryKey ? undefined : cube?.timeDimension].filter((m) => shown(lexicon, m)),
  ].filter((m): m is string => m !== undefined && !figures.includes(m));
  const pick = [...new Set([...own, ...figures])] as string[];
  // Nothing the caller may be shown of the rows (never so when a figure was compared): their number.
  if (!pick.length) return `SELECT count(*) AS "rows" FROM ${from}${w}`;
  const order = figures[0] ? ` ORDER BY ${column(lexicon, figures[0])} DESC` : '';
  return `SELECT ${pick.map((m) => column(lexicon, m)).join(', ')} FROM ${from}${w}${order}`;
}

type GroupComparison = Extract<LogicalForm, { kind: 'comparison'; groups: [ComparedGroup, ComparedGroup] }>;

/**
 * A condition on a dimension of the measured cube, or of a cube it points at through a key: then
 * the rows whose key is one of that cube's rows meeting it (`patient IN (SELECT id FROM … WHERE …)`).
 */
function conditionThroughKey(lexicon: Lexicon, cube: string, c: Condition): string {
  const owner = lexicon.members.get(c.member)?.cube ?? cube;
  const key = lexicon.cubes.get(cube)?.keys.get(owner);
  const pk = lexicon.cubes.get(owner)?.primaryKey;
  if (owner === cube || !key || !pk) return condition(lexicon, c);
  return `${column(lexicon, key)} IN (SELECT ${column(lexicon, pk)} FROM ${quoteIdent(owner)} WHERE ${condition(lexicon, c)})`;
}

/**
 * A group's result column: the words that name it, or with its dimension's title beside them when
 * a member of the model is called that (results keep their own names).
 */
function resultName(lexicon: Lexicon, g: ComparedGroup, other: ComparedGroup): string {
  const name = g.label;
  const taken =
    name.toLowerCase() === other.label.toLowerCase() ||
    [...lexicon.members.values()].some(
      (m) => m.title.toLowerCase() === name.toLowerCase() || m.member.toLowerCase() === name.toLowerCase(),
    );
  const values = g.condition.op === 'in' ? ` ${g.condition.values.join(', ')}` : '';
  const dimension = lexicon.members.get(g.condition.member)?.title ?? g.condition.member;
  return quoteIdent(taken ? `${name} (${dimension}${values === ` ${name}` ? '' : values})` : name);
}

/** One figure for two groups of rows side by side, with the difference and relative difference, or the ratio. */
function compileGroups(f: GroupComparison, lexicon: Lexicon, w: string): string {
  const agg = f.distinct
    ? `count(DISTINCT ${column(lexicon, f.distinct)})`
    : f.agg === 'count'
      ? 'count(*)'
      : `${f.agg}(${column(lexicon, f.value as string)})`;
  const [a, b] = f.groups;
  const inner = `SELECT ${agg} FILTER (WHERE ${conditionThroughKey(lexicon, f.cube, a.condition)}) AS a, ${agg} FILTER (WHERE ${conditionThroughKey(lexicon, f.cube, b.condition)}) AS b FROM ${quoteIdent(f.cube)}${w}`;
  if (f.output === 'rows') {
    // One row per group: the value that selects it (as stored, else the words said) and the figure.
    const dim = quoteIdent(lexicon.members.get(a.condition.member)?.column ?? 'group');
    const said = (g: ComparedGroup) =>
      quoteLiteral(
        g.condition.op === 'in' && g.condition.values.length === 1
          ? (g.condition.values[0] as string)
          : g.label,
      );
    if (!f.differences)
      return `SELECT ${said(a)} AS ${dim}, a AS "value" FROM (${inner}) AS x UNION ALL SELECT ${said(b)}, b FROM (${inner}) AS y`;
    // Each group beside its difference from the other, as asked ("difference between A and B").
    return `SELECT ${dim}, "value", "value" - o AS "difference from the other", ("value" - o) * 1.0 / nullif(o, 0) AS "relative difference from the other" FROM (SELECT 1 AS k, ${said(a)} AS ${dim}, a AS "value", b AS o FROM (${inner}) AS x UNION ALL SELECT 2, ${said(b)}, b, a FROM (${inner}) AS y) AS t ORDER BY k`;
  }
  const sides = `a AS ${resultName(lexicon, a, b)}, b AS ${resultName(lexicon, b, a)}`;
  return f.output === 'ratio'
    ? `SELECT ${sides}, a * 1.0 / nullif(b, 0) AS "ratio" FROM (${inner}) AS x`
    : `SELECT ${sides}, a - b AS "difference", (a - b) * 1.0 / nullif(b, 0) AS "relative difference" FROM (${inner}) AS x`;
}

type FigureRatio = Extract<LogicalForm, { kind: 'comparison'; figures: [Figure, Figure] }>;

/** A figure of its cube's rows: counted, or a column's total or average. */
function figureSql(lexicon: Lexicon, x: Figure): string {
  return x.agg === 'count' ? 'count(*)' : `${x.agg}(${column(lexicon, x.value as string)})`;
}

/** A figure's rows: its conditions (through keys) and its period. */
function figureWhere(lexicon: Lexicon, x: Figure): string {
  const parts = x.filters.map((c) => conditionThroughKey(lexicon, x.cube, c));
  if (x.time) parts.push(timeRangeSql(column(lexicon, x.time.member), x.time));
  return parts.length ? ` WHERE ${parts.join(' AND ')}` : '';
}

/**
 * One figure over another, each over its own rows, with both figures beside the ratio. Broken down
 * (both of one cube): per group, each figure over the group's rows meeting its own conditions.
 */
function compileFigures(f: FigureRatio, lexicon: Lexicon): string {
  const [a, b] = f.figures;
  const named = (x: Figure) => quoteIdent(figureName(lexicon, x));
  const names =
    figureName(lexicon, a) === figureName(lexicon, b)
      ? ['"numerator"', '"denominator"']
      : [named(a), named(b)];
  if (!f.groupBy) {
    const one = (x: Figure) =>
      `(SELECT ${figureSql(lexicon, x)} FROM ${quoteIdent(x.cube)}${figureWhere(lexicon, x)})`;
    return `SELECT a * 1.0 / nullif(b, 0) AS "ratio", a AS ${names[0]}, b AS ${names[1]} FROM (SELECT ${one(a)} AS a, ${one(b)} AS b) AS x`;
  }
  const g = breakdown(lexicon, f.cube, f.groupBy);
  const within = (x: Figure) => {
    const w = figureWhere(lexicon, x).replace(/^ WHERE /, '');
    return w ? ` FILTER (WHERE ${w})` : '';
  };
  return `SELECT g AS ${quoteIdent(g.label)}, a * 1.0 / nullif(b, 0) AS "ratio", a AS ${names[0]}, b AS ${names[1]} FROM (SELECT ${g.expr} AS g, ${figureSql(lexicon, a)}${within(a)} AS a, ${figureSql(lexicon, b)}${within(b)} AS b FROM ${quoteIdent(f.cube)} GROUP BY 1) AS x ORDER BY 1`;
}

/** A figure's result column: what was counted or added up. */
function figureName(lexicon: Lexicon, x: Figure): string {
  // Result columns keep their own names, never a member's ("Total Totalcost" is one).
  if (x.agg === 'count') return `${x.cube} counted`;
  const col = lexicon.members.get(x.value ?? '')?.column ?? x.value;
  return `${col} ${x.agg === 'avg' ? 'averaged' : 'summed'}`;
}
