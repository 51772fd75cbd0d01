import { describe, expect, it } from 'vitest';
import { quoteIdent } from '../../core/index.ts';
import type { SqlTemplate } from '../compiler/index.ts';
import { SharedScans } from './shared-scans.ts';

const text = (s: string) => ({ t: 'text' as const, s });
const render = (tpl: SqlTemplate) => tpl.map((p) => (p.t === 'text' ? p.s : '"encounters"')).join('');
const TABLE = 'lake."main"."encounters"';

describe('SharedScans', () => {
  it("reads a table once when a cube's rows and a member's subquery both read it", () => {
    const s = new SharedScans(quoteIdent);
    const rel = s.relation('main', 'encounters', TABLE, 'id');
    const flag = render(
      s.template([
        text('EXISTS (SELECT 1 FROM lake.main.encounters AS n WHERE n.patient = '),
        { t: 'cube', cube: 'encounters' },
        text(".patient AND n.encounterclass = 'lake.main.encounters AS x')"),
      ]),
    );
    const sql = s.resolve(`SELECT count(*) FILTER (WHERE ${flag}) FROM ${rel} AS "encounters"`);
    expect(sql).toMatch(
      /^WITH "__scan0" AS MATERIALIZED \(SELECT COLUMNS\(c -> lower\(c\) IN \('id', .*\)\) FROM lake\."main"\."encounters"\) SELECT /,
    );
    expect(sql).toContain(`FROM "__scan0" AS n WHERE`);
    expect(sql).toContain(`FROM "__scan0" AS "encounters"`);
    // The columns the statement names; a string literal is not read as code.
    expect(sql).toMatch(/IN \([^)]*'patient'[^)]*'encounterclass'|IN \([^)]*'encounterclass'[^)]*'patient'/);
    expect(sql).toContain("n.encounterclass = 'lake.main.encounters AS x'");
    expect(sql).not.toMatch(/[\uE000\uE001]/);
  });

  it('leaves tables read once, read only by cubes, or named without an alias as they are', () => {
    const s = new SharedScans(quoteIdent);
    const a = s.relation('main', 'encounters', TABLE, 'id');
    const b = s.relation('main', 'encounters', TABLE, 'id');
    const unaliased = render(s.template([text('(SELECT count(*) FROM lake.main.encounters)')]));
    const other = render(s.template([text('(SELECT count(*) FROM lake.main.patients AS p)')]));
    const sql = `SELECT ${unaliased}, ${other} FROM ${a} AS "e" JOIN ${b} AS "f" ON TRUE`;
    expect(s.resolve(sql)).toBe(
      `SELECT (SELECT count(*) FROM lake.main.encounters), (SELECT count(*) FROM lake.main.patients AS p) FROM ${TABLE} AS "e" JOIN ${TABLE} AS "f" ON TRUE`,
    );
  });
});
