import type { AccessScope, BoundFilter, EntityAccess, MemberAccess } from '../access/index.ts';
import type { SemanticModel } from '../compiler/index.ts';
import { PolicyRefusedError, QueryInvalidError, SemanticError, UnknownMemberError } from '../errors.ts';
import { parseDateRange } from './date-range.ts';
import { checkFilterDepth } from './filter-depth.ts';
import type {
  PlannedDimension,
  PlannedFilter,
  PlannedLeaf,
  PlannedMeasure,
  PlannedQuery,
} from './planned-query.ts';
import { type CubeFilter, type CubeQuery, cubeQuerySchema, GRANULARITIES } from './query-schema.ts';
import { planSmallCells } from './small-cells.ts';

const DEFAULT_LIMIT = 10_000;

/** What the normalizer needs to know besides the model: which cubes the lake lacks. */
export interface NormalizeContext {
  model: SemanticModel;
  scope: AccessScope;
  unavailable: ReadonlyMap<string, string>;
  now?: Date;
  /**
   * Members a query may name although `public: false` (the branches of a case measure the caller
   * asked for; see switch-queries.ts). Access policies still apply to them.
   */
  internal?: ReadonlySet<string>;
}

type Resolved = {
  cube: string;
  member: string;
  kind: 'dimension' | 'measure' | 'segment';
  view: string | null;
  state: MemberAccess;
};

/**
 * Check a Cube REST query against the model and the caller's access and resolve every member to
 * the cube member behind it. Hidden members are reported exactly like unknown ones.
 */
export function normalizeQuery(input: unknown, nc: NormalizeContext): PlannedQuery {
  checkFilterDepth(input);
  const parsed = cubeQuerySchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new QueryInvalidError(
      `The query is not valid: ${first ? `${first.path.join('.') || '(query)'}: ${first.message}` : 'unknown problem'}.`,
    );
  }
  const q = parsed.data;
  const timezone = q.timezone ?? 'UTC';
  // Building a formatter costs about 0.2 ms, on every query; UTC (the default) needs no check.
  if (timezone !== 'UTC') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw new QueryInvalidError(`The query is not valid: timezone: ${timezone} is not an IANA time zone.`);
    }
  }
  let view: string | null | undefined;
  const resolve = (name: string): Resolved => {
    const parts = name.split('.');
    if (parts.length !== 2) throw new UnknownMemberError(name);
    const [owner, member] = parts as [string, string];
    const v = nc.model.views.get(owner);
    const thisView = v ? owner : null;
    if (view !== undefined && view !== thisView) {
      throw new QueryInvalidError('A query uses the members of one view, or cube members only; not a mix.');
    }
    view = thisView;
    if (v) {
      const access = nc.scope.views.get(owner)!;
      if (!access.allowed) throw new PolicyRefusedError(`You have no access to ${owner}.`);
      const vm = v.members.get(member);
      const state = access.members.get(member) ?? 'hidden';
      if (!vm || state === 'hidden' || !v.public) throw new UnknownMemberError(name);
      checkAvailable(vm.cube);
      const c = nc.model.cubes.get(vm.cube)!;
      refuseSwitched(name, c.dimensions.get(vm.member)?.switchValues, c.measures.get(vm.member)?.caseOf);
      return { cube: vm.cube, member: vm.member, kind: vm.kind, view: owner, state };
    }
    const cube = nc.model.cubes.get(owner);
    if (!cube) throw new UnknownMemberError(name);
    const access = nc.scope.cubes.get(owner)!;
    if (!access.allowed) throw new PolicyRefusedError(`You have no access to ${owner}.`);
    checkAvailable(owner);
    const kind = cube.dimensions.has(member)
      ? 'dimension'
      : cube.measures.has(member)
        ? 'measure'
        : cube.segments.has(member)
          ? 'segment'
          : null;
    const def = cube.dimensions.get(member) ?? cube.measures.get(member) ?? cube.segments.get(member);
    const state = access.members.get(member) ?? 'hidden';
    const internal = nc.internal?.has(name) === true;
    if (!kind || !def || state === 'hidden' || ((!def.public || !cube.public) && !internal))
      throw new UnknownMemberError(name);
    refuseSwitched(name, cube.dimensions.get(member)?.switchValues, cube.measures.get(member)?.caseOf);
    return { cube: owner, member, kind, view: null, state };
  };
  const checkAvailable = (cube: string) => {
    const why = nc.unavailable.get(cube);
    if (why)
      throw new SemanticError('CUBE_UNAVAILABLE', `Cube ${cube} is not available: ${why}`, { exitCode: 2 });
  };
  const dimType = (r: Resolved) => nc.model.cubes.get(r.cube)!.dimensions.get(r.member)!.type;

  const measures: PlannedMeasure[] = [];
  for (const name of q.measures ?? []) {
    const r = resolve(name);
    if (r.kind !== 'measure') throw new QueryInvalidError(`${name} is not a measure.`);
    if (!measures.some((m) => m.key === name))
      measures.push({ key: name, cube: r.cube, member: r.member, output: true });
  }
  const dimensions: PlannedDimension[] = [];
  const addDim = (d: PlannedDimension) => {
    if (!dimensions.some((x) => x.key === d.key)) dimensions.push(d);
  };
  const granularityOf = (dimension: string, granularity: string, r: Resolved) => {
    const custom = nc.model.cubes.get(r.cube)!.dimensions.get(r.member)!.granularities.get(granularity);
    if (!custom && !(GRANULARITIES as readonly string[]).includes(granularity)) {
      const own = [...nc.model.cubes.get(r.cube)!.dimensions.get(r.member)!.granularities.keys()];
      throw new QueryInvalidError(
        `${dimension} has no granularity ${granularity} (use ${GRANULARITIES.join(', ')}${own.length ? ` or ${own.join(', ')}` : ''}).`,
      );
    }
    return custom;
  };
  for (const name of q.dimensions ?? []) {
    // Cube's `cube.time_dimension.granularity` form: the time dimension at that granularity.
    const [owner, member, granularity, ...rest] = name.split('.');
    if (granularity !== undefined && rest.length === 0) {
      const base = `${owner}.${member}`;
      const r = resolve(base);
      if (r.kind !== 'dimension' || dimType(r) !== 'time')
        throw new QueryInvalidError(
          `${base} is not a time dimension, so ${name} names no granularity of it.`,
        );
      const custom = granularityOf(base, granularity, r);
      addDim({ key: name, cube: r.cube, member: r.member, type: 'time', granularity, custom });
      continue;
    }
    const r = resolve(name);
    if (r.kind !== 'dimension') throw new QueryInvalidError(`${name} is not a dimension.`);
    addDim({ key: name, cube: r.cube, member: r.member, type: dimType(r) });
  }
  const dimensionFilters: PlannedFilter[] = [];
  const timeDimensions: PlannedQuery['timeDimensions'] = [];
  // Cube echoes a relative dateRange ("last 12 months") resolved to a pair; its client reads a pair.
  const resolvedRanges = new Map<object, [string, string]>();
  for (const td of q.timeDimensions ?? []) {
    const r = resolve(td.dimension);
    if (r.kind !== 'dimension' || dimType(r) !== 'time')
      throw new QueryInvalidError(`${td.dimension} is not a time dimension.`);
    if (td.compareDateRange !== undefined)
      throw new QueryInvalidError(
        "compareDateRange answers one result per range: ask /cubejs-api/v1/load with queryType=multi (as Cube's client does).",
      );
    if (td.granularity || td.dateRange !== undefined) timeDimensions.push({ cube: r.cube, member: r.member });
    if (td.granularity) {
      const custom = granularityOf(td.dimension, td.granularity, r);
      addDim({
        key: `${td.dimension}.${td.granularity}`,
        cube: r.cube,
        member: r.member,
        type: 'time',
        granularity: td.granularity,
        custom,
      });
    }
    if (td.dateRange !== undefined) {
      const range = parseDateRange(td.dateRange, timezone, nc.now);
      resolvedRanges.set(td, range);
      dimensionFilters.push({
        leaf: {
          key: td.dimension,
          cube: r.cube,
          member: r.member,
          kind: 'dimension',
          type: 'time',
          operator: 'inDateRange',
          values: range,
          dateRange: true,
        },
      });
    }
  }
  const measureFilters: PlannedFilter[] = [];
  const leafOf = (f: Extract<CubeFilter, { operator: string }>): PlannedLeaf => {
    const name = f.member ?? f.dimension;
    if (!name) throw new QueryInvalidError('A filter needs a member.');
    const r = resolve(name);
    if (r.kind === 'segment') throw new QueryInvalidError(`${name} is a segment; put it in segments.`);
    const values = f.values ?? [];
    checkValues(f.operator, values, name);
    checkOperator(f.operator, r.kind === 'measure' ? 'measure' : dimType(r), values, name);
    let vals = values;
    if (['inDateRange', 'notInDateRange'].includes(f.operator)) {
      vals = parseDateRange(
        values.length === 1 ? String(values[0]) : [String(values[0]), String(values[1])],
        timezone,
        nc.now,
      );
    }
    if (r.kind === 'measure' && !measures.some((m) => m.key === name))
      measures.push({ key: name, cube: r.cube, member: r.member, output: false });
    return {
      key: name,
      cube: r.cube,
      member: r.member,
      kind: r.kind,
      type: r.kind === 'measure' ? 'measure' : dimType(r),
      operator: f.operator,
      values: vals,
    };
  };
  const convert = (f: CubeFilter): { filter: PlannedFilter; kinds: Set<string> } => {
    if ('and' in f || 'or' in f) {
      const list = ('and' in f ? f.and : f.or) as CubeFilter[];
      const parts = list.map(convert);
      const kinds = new Set(parts.flatMap((p) => [...p.kinds]));
      const children = parts.map((p) => p.filter);
      return { filter: 'and' in f ? { and: children } : { or: children }, kinds };
    }
    const leaf = leafOf(f);
    return { filter: { leaf }, kinds: new Set([leaf.kind]) };
  };
  for (const f of q.filters ?? []) {
    const { filter, kinds } = convert(f);
    if (kinds.size > 1)
      throw new QueryInvalidError(
        'A filter group cannot mix dimensions and measures; put them in separate top-level filters.',
      );
    (kinds.has('measure') ? measureFilters : dimensionFilters).push(filter);
  }
  const segments: Array<{ cube: string; member: string }> = [];
  for (const name of q.segments ?? []) {
    const r = resolve(name);
    if (r.kind !== 'segment') throw new QueryInvalidError(`${name} is not a segment.`);
    const access: EntityAccess = r.view ? nc.scope.views.get(r.view)! : nc.scope.cubes.get(r.cube)!;
    if (access.blockedSegments.has(name.split('.')[1]!))
      throw new PolicyRefusedError(`Segment ${name} reads data you may only see masked.`);
    segments.push({ cube: r.cube, member: r.member });
  }
  const userFilters = [...dimensionFilters];
  if (view) {
    // A view's own row filters apply on top of its cubes' (they name view members).
    const rf = nc.scope.views.get(view)!.rowFilter;
    if (rf) dimensionFilters.push(viewRowFilter(rf, view, nc));
  }
  if (measures.length === 0 && dimensions.length === 0)
    throw new QueryInvalidError(
      'A query needs at least one measure, dimension or time dimension with a granularity.',
    );
  const order = normalizeOrder(q.order, measures, dimensions, q.timeDimensions ?? []);
  const limit = q.limit ?? q.rowLimit ?? DEFAULT_LIMIT;
  const normalized: Record<string, unknown> = {
    ...q,
    timezone,
    limit,
    order: order.map((o) => [o.key, o.desc ? 'desc' : 'asc']),
    filters: q.filters ?? [],
    dimensions: q.dimensions ?? [],
    measures: q.measures ?? [],
    timeDimensions: (q.timeDimensions ?? []).map((td) => {
      const range = resolvedRanges.get(td);
      return range ? { ...td, dateRange: range } : td;
    }),
    segments: q.segments ?? [],
    queryType: 'regularQuery',
  };
  const planned: PlannedQuery = {
    view: view ?? null,
    dimensions,
    measures,
    dimensionFilters,
    measureFilters,
    segments,
    order,
    limit,
    offset: q.offset ?? 0,
    total: q.total ?? false,
    ungrouped: q.ungrouped ?? false,
    timezone,
    timeDimensions,
    normalized,
  };
  planned.smallCells = planSmallCells(nc.model, nc.scope, planned, userFilters);
  return planned;
}

const DATE_OPERATORS = new Set([
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'beforeOrOnDate',
  'afterDate',
  'afterOrOnDate',
]);
const NUMERIC_OPERATORS = new Set(['gt', 'gte', 'lt', 'lte']);
const MEASURE_OPERATORS = new Set(['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'set', 'notSet']);

/** An operator the member's type supports, with values it can compare (else QUERY_INVALID, not a lake error). */
function checkOperator(operator: string, type: string, values: unknown[], name: string): void {
  if (type === 'measure' && !MEASURE_OPERATORS.has(operator))
    throw new QueryInvalidError(
      `Filter ${operator} does not apply to the measure ${name} (use ${[...MEASURE_OPERATORS].join(', ')}).`,
    );
  if (DATE_OPERATORS.has(operator) && type !== 'time')
    throw new QueryInvalidError(`Filter ${operator} applies to time dimensions; ${name} is not one.`);
  const numeric = type === 'measure' || type === 'number';
  if (numeric && (NUMERIC_OPERATORS.has(operator) || operator === 'equals' || operator === 'notEquals')) {
    for (const v of values) {
      if (v !== null && (typeof v === 'boolean' || Number.isNaN(Number(v)) || String(v).trim() === ''))
        throw new QueryInvalidError(
          `Filter ${operator} on ${name} compares numbers; "${String(v)}" is not one.`,
        );
    }
  }
}

function checkValues(operator: string, values: unknown[], name: string): void {
  const needs: Record<string, [number, number]> = {
    set: [0, 0],
    notSet: [0, 0],
    gt: [1, 1],
    gte: [1, 1],
    lt: [1, 1],
    lte: [1, 1],
    beforeDate: [1, 1],
    beforeOrOnDate: [1, 1],
    afterDate: [1, 1],
    afterOrOnDate: [1, 1],
    inDateRange: [1, 2],
    notInDateRange: [1, 2],
  };
  const [min, max] = needs[operator] ?? [1, 10_000];
  if (values.length < min || values.length > max) {
    throw new QueryInvalidError(
      `Filter ${operator} on ${name} takes ${min === max ? min : `${min} to ${max}`} value(s), got ${values.length}.`,
    );
  }
}

function viewRowFilter(f: BoundFilter, view: string, nc: NormalizeContext): PlannedFilter {
  if ('deny' in f) return { deny: true };
  if ('and' in f) return { and: f.and.map((x) => viewRowFilter(x, view, nc)) };
  if ('or' in f) return { or: f.or.map((x) => viewRowFilter(x, view, nc)) };
  const vm = nc.model.views.get(view)!.members.get(f.member);
  // A split view keeps its parent's policies: a row filter on a member it lacks lets no row through.
  if (!vm) return { deny: true };
  const type = nc.model.cubes.get(vm.cube)!.dimensions.get(vm.member)!.type;
  return {
    leaf: {
      key: `${view}.${f.member}`,
      cube: vm.cube,
      member: vm.member,
      kind: 'dimension',
      type,
      operator: f.operator,
      values: f.values,
      raw: true,
    },
  };
}

/**
 * Switch dimensions and case measures have no SQL of their own: `SemanticLayer.load` answers a
 * query that uses them as one query per switch value (switch-queries.ts). Anything else that
 * reaches here with one (sql, dry-run, views, nested filters) is refused, never answered with NULLs.
 */
function refuseSwitched(name: string, switchValues: unknown, caseOf: unknown): void {
  if (switchValues || caseOf)
    throw new QueryInvalidError(
      `${name} is a ${switchValues ? 'switch dimension' : 'case measure'}: it is answered by /cubejs-api/v1/load on its cube, grouped by or filtered with equals on its switch dimension (not through views, /sql or nested filters).`,
    );
}

function normalizeOrder(
  order: CubeQuery['order'],
  measures: PlannedMeasure[],
  dimensions: PlannedDimension[],
  timeDimensions: NonNullable<CubeQuery['timeDimensions']>,
): Array<{ key: string; desc: boolean }> {
  const entries: Array<[string, string]> = Array.isArray(order) ? order : Object.entries(order ?? {});
  if (order === undefined) {
    // Cube's default: first time dimension with a granularity, else first measure (desc), else first dimension.
    const td = dimensions.find((d) => d.granularity);
    if (td) return [{ key: td.key, desc: false }];
    const m = measures.find((x) => x.output);
    if (m) return [{ key: m.key, desc: true }];
    return dimensions[0] ? [{ key: dimensions[0].key, desc: false }] : [];
  }
  // Cube drops an order entry whose member is not in the query (its query builders leave such
  // entries behind when a member is removed); so do we.
  return entries.flatMap(([key, dir]) => {
    if (measures.some((m) => m.output && m.key === key) || dimensions.some((d) => d.key === key))
      return [{ key, desc: dir === 'desc' }];
    const td = timeDimensions.find((t) => t.dimension === key && t.granularity);
    if (td) return [{ key: `${key}.${td.granularity}`, desc: dir === 'desc' }];
    return [];
  });
}
