import { quoteLiteral } from '../../core/index.ts';
import { readGranularities, readMultiStage, readRollingWindow } from './compile-measure-options.ts';
import { readPolicies } from './compile-policy.ts';
import { readPreAggregations } from './compile-pre-aggregations.ts';
import type {
  CubeDef,
  DimensionDef,
  DimensionType,
  JoinDef,
  MaskDef,
  MeasureDef,
  MeasureType,
  Relationship,
  SafeHarborMask,
  SegmentDef,
  SqlTemplate,
} from './model-types.ts';
import type { ModelReader } from './reader.ts';
import { qualifyBareColumn, type RawRef, splitTemplate } from './sql-template.ts';
import type { LNode } from './yaml-nodes.ts';

/** Member SQL waiting for the whole model to be read, so references to other cubes resolve. */
export interface PendingSql {
  owner: string;
  /** For join SQL: the cube joined to. */
  joinTo?: string;
  kind: 'dimension' | 'measure' | 'number' | 'segment' | 'filter' | 'mask' | 'join';
  raw: Array<string | RawRef>;
  line: number;
  path: string;
  reader: ModelReader;
  set: (t: SqlTemplate) => void;
}

const UNSUPPORTED_CUBE: Record<string, string> = {
  calendar: 'calendar cubes',
};
/** Cube keys that change nothing here: accepted with a warning (docs/cube-compatibility.md). */
export const IGNORED_CUBE: Record<string, string> = {
  data_source: 'every cube reads the lake (one data source)',
  refresh_key: 'there is no cache to refresh; every query reads the lake',
  sql_alias: 'the cube name is its SQL alias',
  folders: 'folders belong on views',
};
const IGNORED_MEMBER: Record<string, string> = {
  links: 'links are not shown in /meta yet',
};
const UNSUPPORTED_DIM: Record<string, string> = {
  sub_query: 'subquery dimensions',
  propagate_filters_to_sub_query: 'subquery dimensions',
  time_shift: 'time shifts',
  order: 'dimension order',
  key: 'dimension keys',
  label: 'dimension labels',
};
const UNSUPPORTED_MEASURE: Record<string, string> = {
  cumulative: 'cumulative measures',
};
const MEASURE_TYPES: readonly MeasureType[] = [
  'count',
  'count_distinct',
  'count_distinct_approx',
  'sum',
  'avg',
  'min',
  'max',
  'number',
  'rank',
];
const RELATIONSHIPS: Record<string, Relationship> = {
  many_to_one: 'many_to_one',
  manyToOne: 'many_to_one',
  belongs_to: 'many_to_one',
  belongsTo: 'many_to_one',
  one_to_many: 'one_to_many',
  oneToMany: 'one_to_many',
  has_many: 'one_to_many',
  hasMany: 'one_to_many',
  one_to_one: 'one_to_one',
  oneToOne: 'one_to_one',
  has_one: 'one_to_one',
  hasOne: 'one_to_one',
};

/** "total_claim_cost" -> "Total Claim Cost" (Cube's default titles). */
export function titleize(name: string): string {
  return name
    .split('_')
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** Read one cube definition; member SQL is queued in `pending` for resolution. */
export function readCube(
  r: ModelReader,
  node: LNode,
  path: string,
  pending: PendingSql[],
): CubeDef | undefined {
  const m = r.map(
    node,
    r.label(node, 'cubes', path),
    [
      'name',
      'sql_table',
      'sql',
      'title',
      'description',
      'meta',
      'public',
      'shown',
      'joins',
      'measures',
      'dimensions',
      'segments',
      'access_policy',
      'hierarchies',
      'pre_aggregations',
    ],
    UNSUPPORTED_CUBE,
    IGNORED_CUBE,
  );
  if (!m) return undefined;
  const name = r.name(m.get('name'), `${path}.name`);
  if (!name) return undefined;
  const p = `cubes.${name}`;
  const table = r.string(m.get('sql_table'), `${p}.sql_table`);
  const sql = r.string(m.get('sql'), `${p}.sql`);
  let source: CubeDef['source'] | undefined;
  if ((table === undefined) === (sql === undefined)) {
    r.error(node, p, 'needs exactly one of sql_table or sql');
  } else if (table !== undefined) {
    const parts = table.split('.');
    if (parts.length > 2 || parts.some((x) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(x))) {
      r.error(
        m.get('sql_table')!,
        `${p}.sql_table`,
        `"${table}" is not a table name (table or schema.table)`,
      );
    } else {
      source = { kind: 'table', schema: parts.length === 2 ? parts[0]! : 'main', table: parts.at(-1)! };
    }
  } else if (sql !== undefined) {
    // `{FILTER_PARAMS.<this cube>.<member>.filter('col')}` pushes the query's filter on that member
    // into the cube's SQL (TRUE without one). It is read as TRUE: the query's own filter on the
    // member still applies to every row, so only the pushdown (a speed-up) is lost.
    let pushed = false;
    const text = sql.replace(
      /\$?\{\s*FILTER_PARAMS\.([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z_][A-Za-z0-9_]*\.filter\(\s*(['"`])[^'"`{}]*\2\s*\)\s*\}/g,
      (whole, cube: string) => {
        if (cube !== name) return whole;
        pushed = true;
        return '(1 = 1)';
      },
    );
    if (pushed)
      r.warnings.push({
        file: r.file,
        line: m.get('sql')!.line,
        path: `${p}.sql`,
        message:
          "ignored: FILTER_PARAMS pushdown (read as TRUE; the query's own filter on the member applies)",
      });
    if (/\{/.test(text))
      r.error(
        m.get('sql')!,
        `${p}.sql`,
        "templates in cube sql are not supported (except FILTER_PARAMS on the cube's own members)",
      );
    // Cube accepts a trailing `;` (the SQL is a statement to Cube's users); as a subquery it must go.
    source = { kind: 'sql', sql: text.replace(/[\s;]+$/, '') };
  }
  const cube: CubeDef = {
    name,
    title: r.string(m.get('title'), `${p}.title`) ?? titleize(name),
    description: r.string(m.get('description'), `${p}.description`),
    meta: readMeta(r, m.get('meta'), `${p}.meta`),
    public: readPublic(r, m, p),
    source: source ?? { kind: 'sql', sql: 'SELECT 1' },
    dimensions: new Map(),
    measures: new Map(),
    segments: new Map(),
    joins: [],
    policies: readPolicies(r, m.get('access_policy'), `${p}.access_policy`),
    primaryKeys: [],
    hierarchies: [],
    preAggregations: readPreAggregations(r, name, m.get('pre_aggregations'), `${p}.pre_aggregations`),
    pos: { file: r.file, line: node.line },
  };
  const members = new Set<string>();
  const claim = (n: string, line: number, mp: string) => {
    if (members.has(n))
      r.error(line, mp, `"${n}" is defined twice in cube ${name} (members share one namespace)`);
    members.add(n);
  };
  r.seq(m.get('dimensions'), `${p}.dimensions`).forEach((d, i) => {
    const dim = readDimension(r, d, cube, r.label(d, `${p}.dimensions`, `${p}.dimensions[${i}]`), pending);
    if (!dim) return;
    claim(dim.name, d.line, `${p}.dimensions.${dim.name}`);
    cube.dimensions.set(dim.name, dim);
    if (dim.primaryKey) cube.primaryKeys.push(dim.name);
  });
  r.seq(m.get('measures'), `${p}.measures`).forEach((d, i) => {
    const measure = readMeasure(r, d, cube, r.label(d, `${p}.measures`, `${p}.measures[${i}]`), pending);
    if (!measure) return;
    claim(measure.name, d.line, `${p}.measures.${measure.name}`);
    cube.measures.set(measure.name, measure);
  });
  r.seq(m.get('segments'), `${p}.segments`).forEach((d, i) => {
    const sm = r.map(d, `${p}.segments[${i}]`, [
      'name',
      'sql',
      'title',
      'description',
      'meta',
      'public',
      'shown',
    ]);
    const sn = sm && r.name(sm.get('name'), `${p}.segments[${i}].name`);
    if (!sm || !sn) return;
    const sp = `${p}.segments.${sn}`;
    claim(sn, d.line, sp);
    const seg: SegmentDef = {
      ...base(r, sm, cube, sn, sp, d),
      sql: [],
    };
    queue(
      r,
      pending,
      sm.get('sql'),
      sp,
      name,
      'segment',
      (t) => {
        seg.sql = t;
      },
      undefined,
      d.line,
    );
    cube.segments.set(sn, seg);
  });
  r.seq(m.get('hierarchies'), `${p}.hierarchies`).forEach((h, i) => {
    const hm = r.map(h, `${p}.hierarchies[${i}]`, ['name', 'title', 'levels', 'public']);
    const hn = hm && r.name(hm.get('name'), `${p}.hierarchies[${i}].name`);
    if (!hm || !hn) return;
    const hp = `${p}.hierarchies.${hn}`;
    const levels = (r.nameList(hm.get('levels'), `${hp}.levels`) as string[] | '*' | undefined) ?? [];
    if (levels === '*' || levels.length === 0) {
      r.error(h, `${hp}.levels`, 'lists the dimensions of the hierarchy, from the top');
      return;
    }
    // `status`, `CUBE.status`, `{CUBE}.status`, `orders.status` name this cube's dimension;
    // `users.city` names another cube's (checked once every cube is read: validateCube).
    const names = levels.map((l) => {
      const [owner, member, ...rest] = l.replace(/^\$?\{CUBE\}\./, 'CUBE.').split('.');
      if (member === undefined || rest.length > 0) return l;
      return owner === name || owner === 'CUBE' ? member : `${owner}.${member}`;
    });
    for (const l of names)
      if (!l.includes('.') && !cube.dimensions.has(l))
        r.error(h, `${hp}.levels`, `${l} is not a dimension of ${name}`);
    cube.hierarchies.push({
      name: hn,
      title: r.string(hm.get('title'), `${hp}.title`) ?? titleize(hn),
      levels: names,
    });
  });
  r.seq(m.get('joins'), `${p}.joins`).forEach((d, i) => {
    const jm = r.map(d, `${p}.joins[${i}]`, ['name', 'relationship', 'sql']);
    const to = jm && r.name(jm.get('name'), `${p}.joins[${i}].name`);
    if (!jm || !to) return;
    const jp = `${p}.joins.${to}`;
    const relRaw = r.string(jm.get('relationship'), `${jp}.relationship`, true);
    const relationship = relRaw === undefined ? undefined : RELATIONSHIPS[relRaw];
    if (relRaw !== undefined && !relationship) {
      r.error(
        jm.get('relationship')!,
        `${jp}.relationship`,
        `"${relRaw}" is not many_to_one, one_to_many or one_to_one`,
      );
    }
    const join: JoinDef = {
      from: name,
      to,
      relationship: relationship ?? 'many_to_one',
      sql: [],
      pos: { file: r.file, line: d.line },
    };
    queue(
      r,
      pending,
      jm.get('sql'),
      jp,
      name,
      'join',
      (t) => {
        join.sql = t;
      },
      to,
      d.line,
    );
    if (cube.joins.some((j) => j.to === to)) r.error(d, jp, `cube ${name} joins ${to} twice`);
    cube.joins.push(join);
  });
  return cube;
}

function base(r: ModelReader, m: Map<string, LNode>, cube: CubeDef, name: string, p: string, node: LNode) {
  return {
    name,
    cube: cube.name,
    title: r.string(m.get('title'), `${p}.title`) ?? titleize(name),
    description: r.string(m.get('description'), `${p}.description`),
    meta: readMeta(r, m.get('meta'), `${p}.meta`),
    public: readPublic(r, m, p),
    pos: { file: r.file, line: node.line },
  };
}

function readDimension(
  r: ModelReader,
  node: LNode,
  cube: CubeDef,
  path: string,
  pending: PendingSql[],
): DimensionDef | undefined {
  const m = r.map(
    node,
    path,
    [
      'name',
      'type',
      'sql',
      'title',
      'description',
      'meta',
      'public',
      'shown',
      'primary_key',
      'primaryKey',
      'format',
      'mask',
      'granularities',
      'case',
      'values',
    ],
    UNSUPPORTED_DIM,
    IGNORED_MEMBER,
  );
  const name = m && r.name(m.get('name'), `${path}.name`);
  if (!m || !name) return undefined;
  const p = `cubes.${cube.name}.dimensions.${name}`;
  let type = r.string(m.get('type'), `${p}.type`, true) as DimensionType | 'geo' | 'switch' | undefined;
  if (type === 'switch') return readSwitchDimension(r, m, cube, name, p, node);
  if (m.has('values')) r.error(m.get('values')!, `${p}.values`, 'only a type: switch dimension has values');
  if (type === 'geo') r.error(m.get('type')!, `${p}.type`, 'not supported: geo dimensions');
  if (type !== undefined && !['string', 'number', 'time', 'boolean'].includes(type)) {
    if (type !== 'geo')
      r.error(m.get('type')!, `${p}.type`, `"${type}" is not string, number, time or boolean`);
    type = undefined;
  }
  const dim: DimensionDef = {
    ...base(r, m, cube, name, p, node),
    type: (type as DimensionType | undefined) ?? 'string',
    sql: [],
    primaryKey:
      (r.bool(m.get('primary_key'), `${p}.primary_key`) ?? r.bool(m.get('primaryKey'), `${p}.primaryKey`)) ===
      true,
    format: readFormat(r, m.get('format'), `${p}.format`),
    mask: readMask(r, m.get('mask'), `${p}.mask`, cube.name, pending),
    granularities: readGranularities(r, m.get('granularities'), `${p}.granularities`),
  };
  if (dim.granularities.size && dim.type !== 'time')
    r.error(m.get('granularities')!, `${p}.granularities`, 'only time dimensions have granularities');
  const setSql = (t: SqlTemplate) => {
    dim.sql = t;
  };
  if (m.has('case')) {
    if (m.has('sql')) r.error(m.get('sql')!, `${p}.sql`, 'a case dimension has case or sql, not both');
    const raw = readCase(r, m.get('case')!, `${p}.case`);
    if (raw)
      pending.push({
        owner: cube.name,
        kind: 'dimension',
        raw,
        line: node.line,
        path: p,
        reader: r,
        set: setSql,
      });
  } else queue(r, pending, m.get('sql'), p, cube.name, 'dimension', setSql, undefined, node.line);
  return dim;
}

/**
 * `type: switch` with `values`: Cube's calculation-group dimension. It has no column: a query
 * grouped or filtered by it runs once per value. Its SQL is a typed NULL, so nothing that reads it
 * without that (governed SQL) sees a made-up value.
 */
function readSwitchDimension(
  r: ModelReader,
  m: Map<string, LNode>,
  cube: CubeDef,
  name: string,
  p: string,
  node: LNode,
): DimensionDef {
  if (m.has('sql')) r.error(m.get('sql')!, `${p}.sql`, 'a switch dimension has values, not sql');
  const values: string[] = [];
  for (const [i, v] of r.seq(m.get('values'), `${p}.values`).entries()) {
    const text = v.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
    if (text === undefined || text === '') r.error(v, `${p}.values[${i}]`, 'must be a value');
    else if (values.includes(text)) r.error(v, `${p}.values[${i}]`, `${text} is listed twice`);
    else values.push(text);
  }
  if (values.length === 0) r.error(node, `${p}.values`, 'a switch dimension lists its values');
  return {
    ...base(r, m, cube, name, p, node),
    type: 'string',
    sql: [{ t: 'text', s: 'CAST(NULL AS VARCHAR)' }],
    primaryKey: false,
    granularities: new Map(),
    switchValues: values,
  };
}

/** A `case` branch's SQL: one measure reference (`{CUBE.x}`, `{x}`, `{cube.x}`), as Cube's calculation groups write it. */
function branchRef(r: ModelReader, node: LNode | undefined, p: string, owner: string) {
  const text = node?.kind === 'map' ? r.string(node.entries.get('sql'), `${p}.sql`, true) : undefined;
  const ref =
    text && /^\s*\$?\{\s*(?:(CUBE|[A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*$/.exec(text);
  if (!ref) {
    if (node) r.error(node, p, 'a case branch of a measure is { sql: "{measure}" } (one measure reference)');
    return undefined;
  }
  return { cube: !ref[1] || ref[1] === 'CUBE' ? owner : ref[1], member: ref[2]! };
}

function readCaseMeasure(r: ModelReader, node: LNode, p: string, owner: string) {
  const cm = r.map(node, p, ['switch', 'when', 'else']);
  if (!cm) return undefined;
  const sw = r.string(cm.get('switch'), `${p}.switch`, true);
  const swRef =
    sw && /^\s*\$?\{\s*(?:(CUBE|[A-Za-z_][A-Za-z0-9_]*)\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*$/.exec(sw);
  if (sw !== undefined && !swRef)
    r.error(cm.get('switch')!, `${p}.switch`, 'names a switch dimension: "{cube.dimension}"');
  const when: Array<{ value: string; measure: { cube: string; member: string } }> = [];
  r.seq(cm.get('when'), `${p}.when`).forEach((w, i) => {
    const wm = r.map(w, `${p}.when[${i}]`, ['value', 'sql']);
    const v = wm?.get('value');
    const value = v?.kind === 'scalar' && v.value !== null ? String(v.value) : undefined;
    if (value === undefined) r.error(w, `${p}.when[${i}].value`, 'is required');
    const measure = branchRef(r, w, `${p}.when[${i}]`, owner);
    if (value !== undefined && measure) when.push({ value, measure });
  });
  if (when.length === 0) r.error(node, `${p}.when`, 'lists at least one { value, sql }');
  const elseRef = cm.has('else') ? branchRef(r, cm.get('else'), `${p}.else`, owner) : undefined;
  if (!swRef) return undefined;
  return {
    switch: { cube: !swRef[1] || swRef[1] === 'CUBE' ? owner : swRef[1], member: swRef[2]! },
    when,
    else: elseRef,
  };
}

function readMeasure(
  r: ModelReader,
  node: LNode,
  cube: CubeDef,
  path: string,
  pending: PendingSql[],
): MeasureDef | undefined {
  const m = r.map(
    node,
    path,
    [
      'name',
      'type',
      'sql',
      'title',
      'description',
      'meta',
      'public',
      'shown',
      'filters',
      'format',
      'currency',
      'drill_members',
      'drillMembers',
      'mask',
      'rolling_window',
      'multi_stage',
      'time_shift',
      'group_by',
      'reduce_by',
      'add_group_by',
      'order_by',
      'case',
    ],
    UNSUPPORTED_MEASURE,
    IGNORED_MEMBER,
  );
  const name = m && r.name(m.get('name'), `${path}.name`);
  if (!m || !name) return undefined;
  const p = `cubes.${cube.name}.measures.${name}`;
  const typeRaw = r.string(m.get('type'), `${p}.type`, true);
  const type = MEASURE_TYPES.find((t) => t === typeRaw);
  if (typeRaw !== undefined && !type) {
    const why = ['string', 'time', 'boolean', 'running_total', 'count_distinct_keys'].includes(typeRaw)
      ? 'not supported: '
      : '';
    r.error(
      m.get('type')!,
      `${p}.type`,
      `${why}measure type "${typeRaw}" (supported: ${MEASURE_TYPES.join(', ')})`,
    );
  }
  if (m.has('case')) {
    // A case measure is its branches' measure for each value of the switch: nothing to render.
    for (const k of ['sql', 'rolling_window', 'time_shift', 'filters'])
      if (m.has(k)) r.error(m.get(k)!, `${p}.${k}`, `a case measure has case, not ${k}`);
    if (type !== undefined && type !== 'number')
      r.error(m.get('type')!, `${p}.type`, 'a case measure is type: number');
    return {
      ...base(r, m, cube, name, p, node),
      type: 'number',
      sql: [{ t: 'text', s: 'CAST(NULL AS DOUBLE)' }],
      filters: [],
      format: readFormat(r, m.get('format'), `${p}.format`),
      currency: readCurrency(r, m.get('currency'), `${p}.currency`),
      drillMembers: [],
      caseOf: readCaseMeasure(r, m.get('case')!, `${p}.case`, cube.name),
    };
  }
  const measure: MeasureDef = {
    ...base(r, m, cube, name, p, node),
    type: type ?? 'count',
    filters: [],
    format: readFormat(r, m.get('format'), `${p}.format`),
    currency: readCurrency(r, m.get('currency'), `${p}.currency`),
    drillMembers:
      (r.nameList(m.get('drill_members') ?? m.get('drillMembers'), `${p}.drill_members`) as
        | string[]
        | undefined) ?? [],
    mask: readMask(r, m.get('mask'), `${p}.mask`, cube.name, pending),
    rollingWindow: readRollingWindow(r, m.get('rolling_window'), `${p}.rolling_window`),
    multiStage: readMultiStage(r, m, p, cube.name, pending),
  };
  const multi = measure.multiStage !== undefined;
  if (measure.type === 'rank' && !multi) r.error(node, `${p}.type`, 'a rank measure needs multi_stage: true');
  if (measure.rollingWindow && (multi || measure.type === 'number' || measure.type === 'rank'))
    r.error(
      node,
      `${p}.rolling_window`,
      'a rolling window needs an aggregate type (count, sum, …), not number, rank or multi-stage',
    );
  if (m.has('sql')) {
    // A multi-stage measure's SQL reads measures (the stage below), like a number measure's.
    const kind = type === 'number' || multi ? 'number' : 'measure';
    queue(r, pending, m.get('sql'), p, cube.name, kind, (t) => {
      measure.sql = t;
    });
  } else if (type === 'rank') {
    // rank() needs no SQL: it orders by order_by.
  } else if (type && type !== 'count') {
    r.error(node, `${p}.sql`, `is required for a ${type} measure`);
  }
  r.seq(m.get('filters'), `${p}.filters`).forEach((f, i) => {
    const fm = r.map(f, `${p}.filters[${i}]`, ['sql']);
    if (!fm) return;
    const idx = measure.filters.length;
    measure.filters.push([]);
    queue(
      r,
      pending,
      fm.get('sql'),
      `${p}.filters[${i}]`,
      cube.name,
      'filter',
      (t) => {
        measure.filters[idx] = t;
      },
      undefined,
      f.line,
    );
  });
  return measure;
}

/**
 * Cube's `case` dimension as SQL: `CASE WHEN (when.sql) THEN label … ELSE else.label END`, where a
 * label is text or `{ sql: … }`. Conditions keep `{CUBE}` and member references.
 */
function readCase(r: ModelReader, node: LNode, p: string): Array<string | RawRef> | undefined {
  const m = r.map(node, p, ['when', 'else']);
  if (!m) return undefined;
  const out: Array<string | RawRef> = ['CASE'];
  let ok = true;
  const label = (n: LNode | undefined, lp: string): Array<string | RawRef> | undefined => {
    if (!n) {
      r.error(node, lp, 'is required');
      return undefined;
    }
    if (n.kind === 'map') {
      const text = r.string(r.map(n, lp, ['sql'])?.get('sql'), `${lp}.sql`, true);
      if (text === undefined) return undefined;
      const { parts, problems } = splitTemplate(text);
      for (const problem of problems) r.error(n, lp, problem);
      return ['(', ...parts, ')'];
    }
    const text = r.string(n, lp, true);
    return text === undefined ? undefined : [quoteLiteral(text)];
  };
  const whens = r.seq(m.get('when'), `${p}.when`);
  if (whens.length === 0) r.error(node, `${p}.when`, 'a case needs at least one when');
  whens.forEach((w, i) => {
    const wp = `${p}.when[${i}]`;
    const wm = r.map(w, wp, ['sql', 'label']);
    const cond = wm && r.string(wm.get('sql'), `${wp}.sql`, true);
    const then = wm && label(wm.get('label'), `${wp}.label`);
    if (cond === undefined || !then) {
      ok = false;
      return;
    }
    const { parts, problems } = splitTemplate(cond);
    for (const problem of problems) r.error(w, wp, problem);
    out.push(' WHEN (', ...parts, ') THEN ', ...then);
  });
  if (m.has('else')) {
    const em = r.map(m.get('else'), `${p}.else`, ['label']);
    const otherwise = em && label(em.get('label'), `${p}.else.label`);
    if (!otherwise) ok = false;
    else out.push(' ELSE ', ...otherwise);
  }
  out.push(' END');
  return ok ? out : undefined;
}

function readMask(
  r: ModelReader,
  node: LNode | undefined,
  p: string,
  cube: string,
  pending: PendingSql[],
): MaskDef | undefined {
  if (!node) return undefined;
  if (node.kind === 'scalar')
    return node.value === null ? { kind: 'null' } : { kind: 'value', value: node.value };
  const m = r.map(node, p, ['sql', 'safe_harbor']);
  if (!m) return undefined;
  if (m.has('sql') === m.has('safe_harbor')) {
    r.error(
      node,
      p,
      'a mask is a constant, { sql: … } or { safe_harbor: year | birth_year | zip3 | age | pseudonym }',
    );
    return undefined;
  }
  if (m.has('safe_harbor')) {
    const rule = r.oneOf<SafeHarborMask>(m.get('safe_harbor'), `${p}.safe_harbor`, [
      'year',
      'birth_year',
      'zip3',
      'age',
      'pseudonym',
    ]);
    return rule ? { kind: 'safe_harbor', rule } : undefined;
  }
  const mask: MaskDef = { kind: 'sql', sql: [] };
  queue(
    r,
    pending,
    m.get('sql'),
    p,
    cube,
    'mask',
    (t) => {
      mask.sql = t;
    },
    undefined,
    node.line,
  );
  return mask;
}

export function queue(
  r: ModelReader,
  pending: PendingSql[],
  node: LNode | undefined,
  path: string,
  owner: string,
  kind: PendingSql['kind'],
  set: (t: SqlTemplate) => void,
  joinTo?: string,
  lineHint = 0,
): void {
  if (!node) {
    r.error(lineHint, `${path}.sql`, 'is required');
    return;
  }
  const text = r.string(node, `${path}.sql`, true);
  if (text === undefined) return;
  const { parts, problems } = splitTemplate(text);
  for (const problem of problems) r.error(node, path, problem);
  const qualify = kind === 'dimension' || kind === 'measure' || kind === 'segment' || kind === 'filter';
  const raw = qualify ? qualifyBareColumn(parts) : parts;
  pending.push({ owner, joinTo, kind, raw, line: node.line, path, reader: r, set });
}

const FORMAT = /^(imageUrl|id|link|currency|percent|number|abbr|accounting)(_\d{1,2})?$/;

/**
 * Cube's `format`: a name (`currency`, `percent`, `number_2`, `currency_0`, `imageUrl`, `id`,
 * `link`) or an object with a `type` (`{ type: currency, … }`, `{ type: link, label: … }`); /meta
 * shows the name or the type. Other details of an object are kept out of /meta.
 */
function readFormat(r: ModelReader, node: LNode | undefined, p: string): string | undefined {
  if (!node) return undefined;
  if (node.kind === 'map') {
    const type = node.entries.get('type');
    const name = type?.kind === 'scalar' && typeof type.value === 'string' ? type.value : undefined;
    if (name && FORMAT.test(name)) return name;
    r.error(
      node,
      p,
      'a format object needs a type: currency, percent, number, abbr, accounting, link, imageUrl or id',
    );
    return undefined;
  }
  const name = r.string(node, p);
  if (name === undefined) return undefined;
  if (FORMAT.test(name)) return name;
  r.error(
    node,
    p,
    `"${name}" is not a format Cube knows (currency, percent, number, number_2, imageUrl, id, link, …)`,
  );
  return undefined;
}

function readCurrency(r: ModelReader, node: LNode | undefined, p: string): string | undefined {
  const code = node && r.string(node, p);
  if (code === undefined || /^[A-Za-z]{3}$/.test(code)) return code?.toUpperCase();
  r.error(node!, p, `"${code}" is not a currency code (three letters, as USD or EUR)`);
  return undefined;
}

function readMeta(r: ModelReader, node: LNode | undefined, p: string): Record<string, unknown> | undefined {
  if (!node) return undefined;
  if (node.kind !== 'map') {
    r.error(node, p, 'must be a mapping');
    return undefined;
  }
  return r.json(node) as Record<string, unknown>;
}

function readPublic(r: ModelReader, m: Map<string, LNode>, p: string): boolean {
  const pub = r.bool(m.get('public'), `${p}.public`);
  const shown = r.bool(m.get('shown'), `${p}.shown`);
  return pub ?? shown ?? true;
}
