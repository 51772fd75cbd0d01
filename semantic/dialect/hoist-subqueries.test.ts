import { describe, expect, it } from 'vitest';
import { quoteIdent } from '../../core/index.ts';
import type { SqlTemplate } from '../compiler/index.ts';
import { SubqueryHoist, subquerySpans } from './hoist-subqueries.ts';

const text = (s: string) => ({ t: 'text' as const, s });
const ref = (member: string) => ({ t: 'member' as const, cube: 'conditions', member });
const render = (tpl: SqlTemplate) => tpl.map((p) => (p.t === 'text' ? p.s : `{${p.t}}`)).join('');

describe('subquerySpans', () => {
  it('finds outermost parenthesised queries, not those in literals, names or comments', () => {
    const s = `a / NULLIF((SELECT count(*) FROM p WHERE x IN (SELECT y FROM q)), 0) + '(SELECT 1)' + "(select" -- (SELECT 2)\n + (  with t AS (SELECT 1) FROM t)`;
    const spans = subquerySpans(s).map(([a, b]) => s.slice(a, b));
    expect(spans).toEqual([
      '(SELECT count(*) FROM p WHERE x IN (SELECT y FROM q))',
      '(  with t AS (SELECT 1) FROM t)',
    ]);
  });

  it('finds none where it cannot be sure', () => {
    expect(subquerySpans('(SELECT 1 FROM t WHERE a = $1)')).toEqual([]);
    expect(subquerySpans("(SELECT 'x FROM t)")).toEqual([]);
    expect(subquerySpans('(SELECT 1 FROM t')).toEqual([]);
    expect(subquerySpans('x) + (SELECT 1)')).toEqual([]);
    expect(subquerySpans('coalesce(x, 0)')).toEqual([]);
  });
});

describe('SubqueryHoist', () => {
  it('hoists equal subqueries of calculated measures to one column, read through one cross join', () => {
    const h = new SubqueryHoist(quoteIdent);
    const sub = '(SELECT count(*) FROM lake.main.patients)';
    const a = h.template([text('1.0 * '), ref('distinct_patients'), text(` / NULLIF(${sub}, 0)`)]);
    const b = h.template([text('1000.0 * '), ref('distinct_patients'), text(` / NULLIF(${sub}, 0)`)]);
    expect(render(a)).toBe('1.0 * {member} / NULLIF("__s"."__s0", 0)');
    expect(render(b)).toBe('1000.0 * {member} / NULLIF("__s"."__s0", 0)');
    expect(h.crossJoin('__s')).toBe(` CROSS JOIN (SELECT ${sub} AS "__s0") AS "__s"`);
  });

  it('leaves a subquery inside one that spans a member reference (it may be correlated with it)', () => {
    const h = new SubqueryHoist(quoteIdent);
    const tpl: SqlTemplate = [
      text('(SELECT count(*) FROM t WHERE t.a = '),
      ref('x'),
      text(' AND t.b IN (SELECT b FROM u WHERE u.c = t.c))'),
    ];
    expect(h.template(tpl)).toBe(tpl);
    expect(h.crossJoin('__s')).toBe('');
  });
});
