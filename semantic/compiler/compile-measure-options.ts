// Cube's options for KPIs: custom granularities of time dimensions, rolling windows and multi-stage
// measures (time_shift, group_by, reduce_by, add_group_by, and order_by for rank).
import { type PendingSql, queue, titleize } from './compile-cube.ts';
import type { CustomGranularity, MultiStage, RollingWindow, SqlTemplate } from './model-types.ts';
import type { ModelReader } from './reader.ts';
import type { LNode } from './yaml-nodes.ts';

const INTERVAL =
  /^\s*\d+\s+(second|minute|hour|day|week|month|quarter|year)s?(\s+\d+\s+(second|minute|hour|day|week|month|quarter|year)s?)*\s*$/;

/** Whether text is a Cube interval such as `1 year`, `3 months` or `1 year 6 months`. */
export function isInterval(text: string): boolean {
  return INTERVAL.test(text);
}
export function readGranularities(
  r: ModelReader,
  node: LNode | undefined,
  p: string,
): Map<string, CustomGranularity> {
  const out = new Map<string, CustomGranularity>();
  r.seq(node, p).forEach((g, i) => {
    const gm = r.map(g, `${p}[${i}]`, ['name', 'title', 'interval', 'origin', 'offset']);
    const name = gm && r.name(gm.get('name'), `${p}[${i}].name`);
    if (!gm || !name) return;
    const gp = `${p}.${name}`;
    const interval = r.string(gm.get('interval'), `${gp}.interval`, true);
    const origin = r.string(gm.get('origin'), `${gp}.origin`);
    const offset = r.string(gm.get('offset'), `${gp}.offset`);
    if (interval !== undefined && !isInterval(interval))
      r.error(g, `${gp}.interval`, `"${interval}" is not an interval such as "1 year" or "3 months"`);
    if (origin !== undefined && offset !== undefined) r.error(g, gp, 'takes origin or offset, not both');
    if (origin !== undefined && Number.isNaN(Date.parse(origin)))
      r.error(g, `${gp}.origin`, `"${origin}" is not a date or timestamp (2024-07-01)`);
    if (offset !== undefined && !isInterval(offset.replace(/^-\s*/, '')))
      r.error(g, `${gp}.offset`, `"${offset}" is not an interval such as "3 months"`);
    if (out.has(name)) r.error(g, gp, `granularity ${name} is defined twice`);
    out.set(name, {
      name,
      title: r.string(gm.get('title'), `${gp}.title`) ?? titleize(name),
      interval: interval ?? '1 day',
      origin,
      offset,
    });
  });
  return out;
}

export function readRollingWindow(
  r: ModelReader,
  node: LNode | undefined,
  p: string,
): RollingWindow | undefined {
  if (!node) return undefined;
  const m = r.map(node, p, ['trailing', 'leading', 'offset', 'type', 'granularity']);
  if (!m) return undefined;
  const type = r.oneOf(m.get('type'), `${p}.type`, ['fixed', 'to_date']) ?? 'fixed';
  if (type === 'to_date') {
    // Cube's "to date" window: from the start of the granularity's period to the bucket's end.
    const g = r.oneOf(m.get('granularity'), `${p}.granularity`, ['day', 'week', 'month', 'quarter', 'year']);
    if (!g)
      r.error(
        node,
        `${p}.granularity`,
        'a to_date window names its granularity (year, quarter, month, week, day)',
      );
    for (const k of ['trailing', 'leading', 'offset'])
      if (m.has(k)) r.error(m.get(k)!, `${p}.${k}`, `a to_date window has a granularity, not ${k}`);
    return { trailing: null, leading: null, offset: 'end', toDate: g };
  }
  if (m.has('granularity'))
    r.error(m.get('granularity')!, `${p}.granularity`, 'only a type: to_date window has a granularity');
  const bound = (key: 'trailing' | 'leading') => {
    const v = r.string(m.get(key), `${p}.${key}`);
    if (v === undefined) return null;
    if (v !== 'unbounded' && !isInterval(v))
      r.error(m.get(key)!, `${p}.${key}`, `"${v}" is not an interval such as "7 days" or unbounded`);
    return v;
  };
  const trailing = bound('trailing');
  const leading = bound('leading');
  if (trailing === null && leading === null) r.error(node, p, 'needs trailing, leading or both');
  return { trailing, leading, offset: r.oneOf(m.get('offset'), `${p}.offset`, ['start', 'end']) ?? 'end' };
}

export function readMultiStage(
  r: ModelReader,
  m: Map<string, LNode>,
  p: string,
  cube: string,
  pending: PendingSql[],
): MultiStage | undefined {
  const on = r.bool(m.get('multi_stage'), `${p}.multi_stage`) === true;
  const keys = ['time_shift', 'group_by', 'reduce_by', 'add_group_by', 'order_by'] as const;
  if (!on) {
    for (const k of keys) if (m.has(k)) r.error(m.get(k)!, `${p}.${k}`, `${k} needs multi_stage: true`);
    return undefined;
  }
  const dims = (k: 'group_by' | 'reduce_by' | 'add_group_by') => {
    if (!m.has(k)) return undefined;
    const list = r.nameList(m.get(k), `${p}.${k}`);
    if (list === '*') {
      r.error(m.get(k)!, `${p}.${k}`, 'is a list of dimensions');
      return [];
    }
    return (list ?? []).map((n) => splitMember(n, cube));
  };
  const ms: MultiStage = {
    timeShift: [],
    groupBy: dims('group_by'),
    reduceBy: dims('reduce_by'),
    addGroupBy: dims('add_group_by'),
    orderBy: [],
  };
  if ([ms.groupBy, ms.reduceBy, ms.addGroupBy].filter(Boolean).length > 1)
    r.error(m.get('multi_stage')!, p, 'takes one of group_by, reduce_by and add_group_by');
  r.seq(m.get('time_shift'), `${p}.time_shift`).forEach((t, i) => {
    const tp = `${p}.time_shift[${i}]`;
    const tm = r.map(t, tp, ['time_dimension', 'interval', 'type', 'name']);
    if (!tm) return;
    if (tm.has('name')) r.error(t, `${tp}.name`, 'not supported: named time shifts (calendar cubes)');
    const interval = r.string(tm.get('interval'), `${tp}.interval`, true);
    if (interval !== undefined && !isInterval(interval))
      r.error(t, `${tp}.interval`, `"${interval}" is not an interval such as "1 year"`);
    const td = r.string(tm.get('time_dimension'), `${tp}.time_dimension`);
    ms.timeShift.push({
      timeDimension: td === undefined ? undefined : splitMember(td, cube),
      interval: interval ?? '1 year',
      type: r.oneOf(tm.get('type'), `${tp}.type`, ['prior', 'next']) ?? 'prior',
    });
  });
  r.seq(m.get('order_by'), `${p}.order_by`).forEach((o, i) => {
    const op = `${p}.order_by[${i}]`;
    const om = r.map(o, op, ['sql', 'dir']);
    if (!om) return;
    const entry = {
      sql: [] as SqlTemplate,
      desc: r.oneOf(om.get('dir'), `${op}.dir`, ['asc', 'desc']) === 'desc',
    };
    ms.orderBy.push(entry);
    queue(
      r,
      pending,
      om.get('sql'),
      op,
      cube,
      'number',
      (tpl) => {
        entry.sql = tpl;
      },
      undefined,
      o.line,
    );
  });
  return ms;
}

/** `dim`, `CUBE.dim` or `cube.dim` → cube and member (the cube is checked once every file is read). */
function splitMember(name: string, cube: string): { cube: string; member: string } {
  const [a, b] = name.split('.');
  return b === undefined
    ? { cube, member: a ?? name }
    : { cube: a === 'CUBE' ? cube : (a ?? cube), member: b };
}
