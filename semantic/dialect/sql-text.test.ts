import { describe, expect, it } from 'vitest';
import { closingQuote, replaceRelations } from './sql-text.ts';

const T = 'lake."_preagg"."enc__totals"';
const map = new Map([[T, 'temp.main."__copy"']]);
const swap = (sql: string) => replaceRelations(sql, map, 'lake');

describe('closingQuote', () => {
  it('skips doubled quotes', () => {
    expect(closingQuote(`'it''s' x`, 0)).toBe(6);
    expect(closingQuote(`"a`, 0)).toBe(-1);
  });
});

describe('replaceRelations', () => {
  it('replaces the relation where it stands as a name, every time', () => {
    expect(swap(`SELECT sum(x) FROM ${T} AS "e" JOIN ${T} f ON true LIMIT $1`)).toBe(
      'SELECT sum(x) FROM temp.main."__copy" AS "e" JOIN temp.main."__copy" f ON true LIMIT $1',
    );
  });

  it('leaves literals, quoted identifiers and comments as they are', () => {
    expect(
      swap(
        `/* ${T} */ SELECT '${T.replaceAll("'", "''")}' AS "${T.replaceAll('"', '""')}" FROM ${T} -- ${T}`,
      ),
    ).toBe(`/* ${T} */ SELECT '${T}' AS "${T.replaceAll('"', '""')}" FROM temp.main."__copy" -- ${T}`);
  });

  it('never replaces part of a longer name', () => {
    expect(swap(`SELECT * FROM ${T}_v2`)).toBeNull(); // still names the lake catalog
    expect(swap(`SELECT * FROM ${T}."x"`)).toBeNull();
    expect(swap(`SELECT * FROM mylake."_preagg"."enc__totals"`)).toBe(
      'SELECT * FROM mylake."_preagg"."enc__totals"',
    );
  });

  it('is null while the statement still names the catalog, in any case or quoting', () => {
    expect(swap(`SELECT * FROM ${T}, lake.main.patients`)).toBeNull();
    expect(swap(`SELECT * FROM ${T} WHERE x IN (SELECT id FROM LAKE . main.p)`)).toBeNull();
    expect(swap(`SELECT * FROM ${T} WHERE x IN (SELECT id FROM "lake"."main"."p")`)).toBeNull();
    expect(swap(`SELECT * FROM ${T}, "LAKE".main.p`)).toBeNull();
    expect(swap(`SELECT lake.current_snapshot() FROM ${T}`)).toBeNull();
    // A column or alias called lake is not the catalog.
    expect(swap(`SELECT lake FROM ${T} AS lake`)).toBe('SELECT lake FROM temp.main."__copy" AS lake');
  });

  it('is null for text it does not read', () => {
    expect(swap(`SELECT $$x$$ FROM ${T}`)).toBeNull();
    expect(swap(`SELECT E'\\' lake.main.p' FROM ${T}`)).toBeNull();
    expect(swap(`SELECT 'open FROM ${T}`)).toBeNull();
    expect(swap(`SELECT 1 /* open FROM ${T}`)).toBeNull();
  });
});
