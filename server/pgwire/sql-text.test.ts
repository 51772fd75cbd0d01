import { describe, expect, it } from 'vitest';
import { bindPlaceholders, firstKeyword, placeholderCount, splitStatements } from './sql-text.ts';
import { stripPublicSchema } from './statements.ts';
import { OID } from './types.ts';

describe('splitStatements', () => {
  it('splits at semicolons outside literals, quoted names, dollar quotes and comments', () => {
    expect(
      splitStatements(
        `SET a = 'x;y'; SELECT "a;b" FROM t -- c;d\n; SELECT $$e;f$$; /* g; */ SELECT E'h\\';i'`,
      ),
    ).toEqual([`SET a = 'x;y'`, `SELECT "a;b" FROM t -- c;d`, 'SELECT $$e;f$$', `/* g; */ SELECT E'h\\';i'`]);
  });
  it('drops empty statements and comment-only ones', () => {
    expect(splitStatements(';; -- nothing\n ;')).toEqual([]);
  });
});

describe('bindPlaceholders', () => {
  it('binds values as literals, never as SQL', () => {
    expect(bindPlaceholders('SELECT * FROM t WHERE a = $1 AND b = $2', ["x' OR '1'='1", null], [0, 0])).toBe(
      "SELECT * FROM t WHERE a = 'x'' OR ''1''=''1' AND b = NULL",
    );
  });
  it('leaves $n inside literals, quoted names and comments alone', () => {
    expect(bindPlaceholders(`SELECT '$1', "$1", $1 -- $1`, ['v'], [OID.text])).toBe(
      `SELECT '$1', "$1", 'v' -- $1`,
    );
  });
  it('uses the types the client declared', () => {
    expect(
      bindPlaceholders(
        'SELECT $1, $2, $3, $4, $5',
        ['42', 'true', '2024-01-02', '2024-01-02 03:04:05', '1; DROP'],
        [OID.int8, OID.bool, OID.date, OID.timestamp, OID.int4],
      ),
    ).toBe("SELECT (42), TRUE, DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', '1; DROP'");
  });
  it('does not take $10 for $1', () => {
    const values = Array.from({ length: 10 }, (_, i) => String(i + 1));
    expect(bindPlaceholders('SELECT $10, $1', values, [])).toBe("SELECT '10', '1'");
  });
});

describe('statement shape', () => {
  it('finds the first keyword past comments and parentheses', () => {
    expect(firstKeyword('/* hi */ -- x\n (select 1)')).toBe('SELECT');
    expect(firstKeyword('  ')).toBe('');
  });
  it('counts placeholders outside literals', () => {
    expect(placeholderCount("SELECT $2, '$9', $1")).toBe(2);
  });
  it('drops the public schema from relation names, not from literals', () => {
    expect(
      stripPublicSchema(`SELECT * FROM public.encounters e JOIN "public"."patients" p ON 'public.x' = e.id`),
    ).toBe(`SELECT * FROM encounters e JOIN "patients" p ON 'public.x' = e.id`);
  });
});
