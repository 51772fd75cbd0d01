import type { AccessScope, EntityAccess } from '../access/index.ts';
import type {
  CubeDef,
  DimensionDef,
  MeasureDef,
  SegmentDef,
  SemanticModel,
  SqlTemplate,
  ViewDef,
} from '../compiler/index.ts';

/** A member in Cube's `/v1/meta` shape. */
export interface MetaMember {
  name: string;
  title: string;
  shortTitle: string;
  description?: string | undefined;
  type: string;
  isVisible: boolean;
  public: boolean;
  meta?: Record<string, unknown> | undefined;
  [extra: string]: unknown;
}

/** A cube or view in Cube's `/v1/meta` shape. */
export interface MetaCube {
  name: string;
  sqlTable?: string | undefined;
  title: string;
  description?: string | undefined;
  type: 'cube' | 'view';
  isVisible: boolean;
  public: boolean;
  meta?: Record<string, unknown> | undefined;
  measures: MetaMember[];
  dimensions: MetaMember[];
  segments: MetaMember[];
  hierarchies: unknown[];
  folders: unknown[];
  nestedFolders: unknown[];
}

/** Cube's `/v1/meta` response. */
export interface MetaResponse {
  cubes: MetaCube[];
}

/**
 * What one caller may query, in Cube's meta format: cubes and views they cannot access, cubes
 * the lake lacks, non-public and hidden members are absent; masked members carry `meta.masked`
 * (and `meta.masked_to: "year"` when the mask keeps only the year).
 */
export function buildMeta(
  model: SemanticModel,
  scope: AccessScope,
  unavailable: ReadonlyMap<string, string>,
): MetaResponse {
  const cubes: MetaCube[] = [];
  for (const cube of model.cubes.values()) {
    const access = scope.cubes.get(cube.name)!;
    if (!cube.public || !access.allowed || unavailable.has(cube.name)) continue;
    const visible = <T extends { name: string; public: boolean }>(list: Iterable<T>) =>
      [...list].filter((m) => m.public && access.members.get(m.name) !== 'hidden');
    cubes.push({
      ...head(cube, 'cube'),
      measures: visible(cube.measures.values()).map((m) => ({
        ...measureMeta(cube, m, `${cube.name}.${m.name}`, access, m.name),
        ...(comparesPeriods(model, cube.name, m.name) ? { comparesPeriods: true } : {}),
      })),
      dimensions: visible(cube.dimensions.values()).map((d) =>
        dimensionMeta(cube, d, `${cube.name}.${d.name}`, access, d.name),
      ),
      segments: visible(cube.segments.values())
        .filter((s) => !access.blockedSegments.has(s.name))
        .map((s) => segmentMeta(cube, s, `${cube.name}.${s.name}`)),
      // Only levels the caller may see; a hierarchy with none left is not shown.
      hierarchies: cube.hierarchies
        .map((h) => ({
          name: `${cube.name}.${h.name}`,
          title: h.title,
          public: true,
          // A level may be another cube's dimension (`users.city`): shown if the caller sees it there.
          levels: h.levels
            .map((l) => (l.includes('.') ? l.split('.') : [cube.name, l]) as [string, string])
            .filter(([c, l]) => {
              const owner = model.cubes.get(c);
              const ownerAccess = scope.cubes.get(c);
              return (
                owner?.public &&
                !unavailable.has(c) &&
                ownerAccess?.allowed &&
                owner.dimensions.get(l)?.public &&
                ownerAccess.members.get(l) !== 'hidden'
              );
            })
            .map(([c, l]) => `${c}.${l}`),
        }))
        .filter((h) => h.levels.length > 0),
    });
  }
  for (const view of model.views.values()) {
    const access = scope.views.get(view.name)!;
    if (!view.public || !access.allowed || unavailable.has(view.root)) continue;
    const out: MetaCube = { ...head(view, 'view'), measures: [], dimensions: [], segments: [] };
    for (const vm of view.members.values()) {
      if (access.members.get(vm.name) === 'hidden' || unavailable.has(vm.cube)) continue;
      const cube = model.cubes.get(vm.cube)!;
      const name = `${view.name}.${vm.name}`;
      if (vm.kind === 'measure')
        out.measures.push({
          ...measureMeta(view, cube.measures.get(vm.member)!, name, access, vm.name, vm.title),
          ...(comparesPeriods(model, vm.cube, vm.member) ? { comparesPeriods: true } : {}),
        });
      else if (vm.kind === 'dimension')
        out.dimensions.push(
          dimensionMeta(view, cube.dimensions.get(vm.member)!, name, access, vm.name, vm.title),
        );
      else if (!access.blockedSegments.has(vm.name))
        out.segments.push(segmentMeta(view, cube.segments.get(vm.member)!, name, vm.title));
    }
    const shown = new Set([...out.measures, ...out.dimensions, ...out.segments].map((x) => x.name));
    out.folders = view.folders
      .map((f) => ({
        name: f.name,
        members: f.members.map((x) => `${view.name}.${x}`).filter((x) => shown.has(x)),
      }))
      .filter((f) => f.members.length > 0);
    out.nestedFolders = out.folders;
    cubes.push(out);
  }
  return { cubes };
}

function head(c: CubeDef | ViewDef, type: 'cube' | 'view') {
  return {
    name: c.name,
    // The table a cube reads: "the encounters table" names the cube.
    ...('source' in c && c.source.kind === 'table' ? { sqlTable: c.source.table } : {}),
    title: c.title,
    description: c.description,
    type,
    isVisible: true,
    public: true,
    meta: c.meta,
    hierarchies: [],
    folders: [],
    nestedFolders: [],
  };
}

function base(
  owner: CubeDef | ViewDef,
  m: MeasureDef | DimensionDef | SegmentDef,
  name: string,
  title?: string,
) {
  const shortTitle = title ?? m.title;
  const columns = 'sql' in m && m.sql ? columnsOf(m.sql) : [];
  return {
    name,
    title: `${owner.title} ${shortTitle}`,
    shortTitle,
    description: m.description,
    isVisible: true,
    public: true,
    // The source columns the member reads (`{CUBE}.totalcost`): words analysts name it by.
    ...(columns.length ? { columns } : {}),
  };
}

/**
 * The column a member reads when its SQL is one column of its own cube (`{CUBE}.totalcost`);
 * none for derived SQL, whose columns are not its name.
 *
 * @example columnsOf([{ t: 'cube', cube: 'orders' }, { t: 'text', s: '.total_cost' }]) // ['total_cost']
 */
export function columnsOf(sql: SqlTemplate): string[] {
  const [part, next, ...rest] = sql;
  if (part?.t !== 'cube' || next?.t !== 'text' || rest.length) return [];
  const hit = /^\.\s*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*$/.exec(next.s);
  return hit?.[1] ? [hit[1]] : [];
}

function withMasked(
  meta: Record<string, unknown> | undefined,
  masked: boolean,
  maskedTo?: 'year',
): Record<string, unknown> | undefined {
  if (!masked) return meta;
  return { ...(meta ?? {}), masked: true, ...(maskedTo ? { masked_to: maskedTo } : {}) };
}

/**
 * Whether a measure compares periods (a `time_shift` over the query's own time dimensions, or a
 * measure built on one): it means nothing without a time dimension, so a client asks for one.
 */
function comparesPeriods(
  model: SemanticModel,
  cube: string,
  member: string,
  seen = new Set<string>(),
): boolean {
  const key = `${cube}.${member}`;
  const m = model.cubes.get(cube)?.measures.get(member);
  if (!m || seen.has(key)) return false;
  seen.add(key);
  if (m.multiStage?.timeShift.some((ts) => !ts.timeDimension)) return true;
  return (m.sql ?? []).some((p) => p.t === 'member' && comparesPeriods(model, p.cube, p.member, seen));
}

function measureMeta(
  owner: CubeDef | ViewDef,
  m: MeasureDef,
  name: string,
  access: EntityAccess,
  key: string,
  title?: string,
): MetaMember {
  return {
    ...base(owner, m, name, title),
    type: 'number',
    aggType: m.type,
    // Cube marks rolling-window measures cumulative (they need a time dimension to mean much).
    cumulative: m.rollingWindow !== undefined,
    cumulativeTotal: m.rollingWindow !== undefined,
    // Rows kept by the measure's own filters: its figure is not its column's over all rows.
    ...(m.filters.length ? { filtered: true } : {}),
    drillMembers: m.drillMembers.map((d) => (d.includes('.') ? d : `${m.cube}.${d}`)),
    drillMembersGrouped: {
      measures: [],
      dimensions: m.drillMembers.map((d) => (d.includes('.') ? d : `${m.cube}.${d}`)),
    },
    ...(m.format ? { format: m.format } : {}),
    ...(m.currency ? { currency: m.currency } : {}),
    meta: withMasked(m.meta, access.members.get(key) === 'masked'),
  };
}

function dimensionMeta(
  owner: CubeDef | ViewDef,
  d: DimensionDef,
  name: string,
  access: EntityAccess,
  key: string,
  title?: string,
): MetaMember {
  return {
    ...base(owner, d, name, title),
    type: d.type,
    suggestFilterValues: true,
    primaryKey: d.primaryKey,
    ...(d.format ? { format: d.format } : {}),
    // Custom granularities a client may ask for, as Cube lists them.
    ...(d.granularities.size
      ? {
          granularities: [...d.granularities.values()].map((g) => ({
            name: g.name,
            title: g.title,
            interval: g.interval,
            ...(g.origin !== undefined ? { origin: g.origin } : {}),
            ...(g.offset !== undefined ? { offset: g.offset } : {}),
          })),
        }
      : {}),
    meta: withMasked(d.meta, access.members.get(key) === 'masked', yearMask(d)),
  };
}

/** A time dimension whose mask keeps the year (Safe Harbor): masked values are 1 January of it. */
function yearMask(d: DimensionDef): 'year' | undefined {
  const m = d.mask;
  return d.type === 'time' && m?.kind === 'safe_harbor' && (m.rule === 'year' || m.rule === 'birth_year')
    ? 'year'
    : undefined;
}

function segmentMeta(owner: CubeDef | ViewDef, s: SegmentDef, name: string, title?: string): MetaMember {
  return { ...base(owner, s, name, title), type: 'segment', meta: s.meta };
}
