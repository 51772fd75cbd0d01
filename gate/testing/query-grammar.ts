import fc from 'fast-check';

/**
 * A small grammar of SELECTs over the governed relations, for property tests. A query is a
 * template: each relation appears as `{{encounters e}}` / `{{patients p}}`, so the same query can
 * be rendered for the gate (the governed name) and for a hand-written reference (a subquery over
 * the base tables). Predicates and expressions touch every column, masked or not.
 */
export type RelName = 'encounters' | 'patients';

const COLUMNS: Record<RelName, string[]> = {
  encounters: ['id', 'patient', 'organization', 'cost'],
  patients: ['id', 'name', 'birthdate', 'zip'],
};

/** Render a template: `rel(name, alias)` says what one relation reference becomes. */
export function render(template: string, rel: (name: RelName, alias: string) => string): string {
  return template.replace(/\{\{(encounters|patients) (\w+)\}\}/g, (_m, name: RelName, alias: string) =>
    rel(name, alias),
  );
}

const encounterAtom = (a: string) =>
  fc.oneof(
    fc.integer({ min: 0, max: 1400 }).map((n) => `${a}.cost > ${n}`),
    fc.constantFrom('orgA', 'orgB', 'orgC').map((o) => `${a}.organization = '${o}'`),
    fc.constantFrom('p0', 'p1', 'p7', 'p39', 'p40', 'p42').map((p) => `${a}.patient = '${p}'`),
    fc.constantFrom('e1%', 'e30%', '%0', 'e2_').map((l) => `${a}.id LIKE '${l}'`),
  );

const patientAtom = (a: string) =>
  fc.oneof(
    fc.constantFrom('p0', 'p7', 'p40', 'p44').map((p) => `${a}.id = '${p}'`),
    fc.constantFrom('Name 1%', 'Quentin%', '%Canary', 'Zeb%').map((l) => `${a}.name LIKE '${l}'`),
    fc.constantFrom("LIKE '021%'", "= '02100'", ">= '023'", "= '021'").map((z) => `${a}.zip ${z}`),
    fc
      .constantFrom("< DATE '1955-01-01'", "= DATE '1950-02-02'", "= DATE '1957-01-01'")
      .map((d) => `${a}.birthdate ${d}`),
    fc.constantFrom('month', 'day').map((p) => `date_part('${p}', ${a}.birthdate) = 2`),
    fc.constant(`${a}.name IS NULL`),
  );

/** A predicate over one relation: atoms joined by AND / OR, maybe negated. */
export function predicate(rel: RelName, a: string): fc.Arbitrary<string> {
  const atom = rel === 'encounters' ? encounterAtom(a) : patientAtom(a);
  return fc
    .tuple(atom, fc.option(fc.tuple(fc.constantFrom('AND', 'OR'), atom), { nil: undefined }), fc.boolean())
    .map(([x, more, not]) => {
      const body = more ? `(${x} ${more[0]} ${more[1]})` : x;
      return not ? `NOT ${body}` : body;
    });
}

const relName = fc.constantFrom<RelName>('encounters', 'patients');
const where = (rel: RelName, a: string) =>
  fc.option(predicate(rel, a), { nil: undefined }).map((p) => (p ? ` WHERE ${p}` : ''));
const columnsOf = (rel: RelName, a: string) =>
  fc.subarray(COLUMNS[rel], { minLength: 1 }).map((cs) => cs.map((c) => `${a}.${c}`).join(', '));

const plainSelect = relName.chain((rel) =>
  fc
    .tuple(fc.boolean(), columnsOf(rel, 'x'), where(rel, 'x'))
    .map(([distinct, cols, w]) => `SELECT ${distinct ? 'DISTINCT ' : ''}${cols} FROM {{${rel} x}}${w}`),
);

const AGGREGATES: Record<RelName, string[]> = {
  encounters: ['count(*)', 'count(DISTINCT x.patient)', 'sum(x.cost)', 'max(x.cost)', 'min(x.id)'],
  patients: ['count(*)', 'max(x.name)', 'min(x.birthdate)', 'count(DISTINCT x.zip)', 'max(x.zip)'],
};
const aggregate = relName.chain((rel) =>
  fc
    .tuple(
      fc.constantFrom(...COLUMNS[rel]),
      fc.subarray(AGGREGATES[rel], { minLength: 1 }),
      where(rel, 'x'),
      fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
    )
    .map(
      ([g, aggs, w, having]) =>
        `SELECT x.${g}, ${aggs.join(', ')} FROM {{${rel} x}}${w} GROUP BY x.${g}${having === undefined ? '' : ` HAVING count(*) > ${having}`}`,
    ),
);

const join = fc
  .tuple(
    fc.constantFrom('JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN'),
    columnsOf('encounters', 'e'),
    columnsOf('patients', 'p'),
    fc.option(
      fc.tuple(predicate('encounters', 'e'), fc.constantFrom('AND', 'OR'), predicate('patients', 'p')),
      {
        nil: undefined,
      },
    ),
  )
  .map(
    ([kind, ec, pc, w]) =>
      `SELECT ${ec}, ${pc} FROM {{encounters e}} ${kind} {{patients p}} ON e.patient = p.id${w ? ` WHERE ${w[0]} ${w[1]} ${w[2]}` : ''}`,
  );

const semiJoin = fc
  .tuple(
    fc.constantFrom('IN', 'NOT IN', 'EXISTS', 'NOT EXISTS'),
    columnsOf('patients', 'p'),
    where('encounters', 'e'),
  )
  .map(([kind, pc, w]) =>
    kind.endsWith('IN')
      ? `SELECT ${pc} FROM {{patients p}} WHERE p.id ${kind} (SELECT e.patient FROM {{encounters e}}${w})`
      : `SELECT ${pc} FROM {{patients p}} WHERE ${kind} (SELECT 1 FROM {{encounters e}}${w ? `${w} AND` : ' WHERE'} e.patient = p.id)`,
  );

const windowed = relName.chain((rel) =>
  fc
    .tuple(fc.constantFrom(...COLUMNS[rel]), where(rel, 'x'))
    .map(
      ([g, w]) =>
        `SELECT x.id, row_number() OVER (PARTITION BY x.${g} ORDER BY x.id) AS rn, count(*) OVER (PARTITION BY x.${g}) AS n FROM {{${rel} x}}${w}`,
    ),
);

const setOperation = fc
  .tuple(
    fc.constantFrom('UNION', 'UNION ALL', 'EXCEPT', 'INTERSECT'),
    where('encounters', 'x'),
    where('patients', 'y'),
    fc.boolean(),
  )
  .map(([op, w1, w2, flip]) => {
    const a = `SELECT x.patient AS id FROM {{encounters x}}${w1}`;
    const b = `SELECT y.id FROM {{patients y}}${w2}`;
    return flip ? `${b} ${op} ${a}` : `${a} ${op} ${b}`;
  });

const scalarSubqueries = fc
  .tuple(where('encounters', 'e'), where('patients', 'p'))
  .map(
    ([w1, w2]) =>
      `SELECT (SELECT count(*) FROM {{encounters e}}${w1}) AS a, (SELECT max(p.zip) FROM {{patients p}}${w2}) AS b`,
  );

const core = fc.oneof(plainSelect, aggregate, join, semiJoin, windowed, setOperation, scalarSubqueries);

/** A random SELECT template, maybe wrapped in a CTE or a derived table. */
export const selectTemplate: fc.Arbitrary<string> = fc
  .tuple(core, fc.constantFrom('none', 'cte', 'derived', 'nested-cte'))
  .map(([q, wrap]) => {
    switch (wrap) {
      case 'cte':
        return `WITH w AS (${q}) SELECT * FROM w`;
      case 'derived':
        return `SELECT * FROM (${q}) AS d`;
      case 'nested-cte':
        return `WITH w AS (WITH v AS (${q}) SELECT * FROM v) SELECT * FROM w`;
      default:
        return q;
    }
  });

/** Expressions over the analyst's masked columns (`p` is a patients row). */
const maskedExpression = fc.constantFrom(
  'upper(p.name)',
  "coalesce(p.name, 'none')",
  "p.zip || 'x'",
  'left(p.zip, 2)',
  'reverse(p.zip)',
  'length(p.zip)',
  'md5(p.zip)',
  'hash(p.birthdate)',
  'CAST(p.birthdate AS VARCHAR)',
  "strftime(p.birthdate, '%Y-%m-%d')",
  'year(p.birthdate) * 10000 + month(p.birthdate) * 100 + day(p.birthdate)',
  'epoch(p.birthdate)',
  'to_json(p)',
  'struct_pack(z := p.zip, b := p.birthdate)',
  '[p.zip, p.name]',
  "CASE WHEN p.zip LIKE '021%' THEN 'a' ELSE 'b' END",
  "regexp_replace(p.zip, '1', 'one')",
  'lag(p.zip) OVER (ORDER BY p.id)',
  'first_value(p.birthdate) OVER (PARTITION BY p.zip ORDER BY p.id)',
  // Ordered within the partition: an unordered string_agg's order differs run to run.
  "string_agg(p.zip, ',') OVER (PARTITION BY year(p.birthdate) ORDER BY p.id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)",
  'p.*',
  'COLUMNS(*)',
);

/** A SELECT that works masked columns through expressions, filters, grouping and ordering. */
export const maskedTemplate: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.boolean(), fc.array(maskedExpression, { minLength: 1, maxLength: 3 }), where('patients', 'p'))
    .map(
      ([id, exprs, w]) => `SELECT ${[...(id ? ['p.id'] : []), ...exprs].join(', ')} FROM {{patients p}}${w}`,
    ),
  fc
    .tuple(fc.constantFrom('p.zip', 'p.birthdate', 'p.name', 'year(p.birthdate)'), where('patients', 'p'))
    .map(
      ([g, w]) =>
        `SELECT ${g} AS g, count(*), min(p.zip), max(p.birthdate), list(p.zip ORDER BY p.zip) FROM {{patients p}}${w} GROUP BY ${g}`,
    ),
  fc
    .tuple(
      maskedExpression.filter((e) => !e.includes('OVER') && !e.includes('*')),
      where('encounters', 'e'),
    )
    .map(
      ([expr, w]) =>
        `SELECT ${expr} AS v, count(*) FROM {{encounters e}} JOIN {{patients p}} ON e.patient = p.id${w} GROUP BY ALL`,
    ),
  selectTemplate,
);

/**
 * Conditions that single out rows, most of them rows a clinician of orgA may not see and that
 * differ between the base lake and the clinician's twin (orgB-only patients p40…p44, orgB's
 * encounters, their costs, the twin's extra encounters), a few of them visible rows.
 */
const RAISE_WHEN: Record<RelName, string[]> = {
  patients: [
    "{a}.name LIKE 'Quentin%'",
    "{a}.name LIKE 'Ursula%'",
    "{a}.name LIKE 'Twin%'",
    "{a}.zip LIKE '9%'",
    "{a}.id = 'p40'",
    "{a}.id = 'p43'",
    "{a}.birthdate > DATE '1960-03-01'",
    "{a}.id || '|' || {a}.name = 'p40|Quentin Hidden'",
    "{a}.id = 'p0'",
    "{a}.name = 'Name 7'",
  ],
  encounters: [
    '{a}.cost > 1000',
    "{a}.id = 'e315'",
    "{a}.id = 'e305'",
    "{a}.organization = 'orgB'",
    "{a}.patient = 'p42'",
    "{a}.organization = 'orgB' AND {a}.cost = 13",
    "{a}.id = 'e3'",
    "{a}.cost = 39 AND {a}.organization = 'orgA'",
  ],
};

/**
 * Boolean expressions built on functions that raise on some input: JSON parsing, casts, overflow
 * and out-of-range arithmetic, division, regular expressions, strptime, list slicing, a built-in
 * macro (date_add) and error(). `{c}` is where the condition goes: the bad input is chosen only
 * when it holds, so a raise tells whether some row the expression saw matched.
 */
const RAISERS = [
  "json_extract(CASE WHEN {c} THEN 'x' ELSE '1' END, '$') IS NOT NULL",
  "json_extract_string(CASE WHEN {c} THEN '{' ELSE '{}' END, '$.a') IS NULL",
  "json(CASE WHEN {c} THEN '[' ELSE '[]' END) IS NOT NULL",
  "CAST(CASE WHEN {c} THEN 'x' ELSE '1' END AS INTEGER) = 1",
  "TRY_CAST(CASE WHEN {c} THEN 'x' ELSE '1' END AS INTEGER) = 1",
  '(CASE WHEN {c} THEN 300 ELSE 1 END)::TINYINT = 1',
  "CAST(CASE WHEN {c} THEN '2020-13-45' ELSE '2020-01-01' END AS DATE) IS NOT NULL",
  '2147483647::INTEGER + (CASE WHEN {c} THEN 1 ELSE 0 END)::INTEGER > 0',
  'ln(CASE WHEN {c} THEN 0 ELSE 1 END) = 0',
  '1 // (CASE WHEN {c} THEN 0 ELSE 1 END) = 1',
  '10 / (CASE WHEN {c} THEN 0 ELSE 2 END) = 5',
  "regexp_matches('a', CASE WHEN {c} THEN '(' ELSE 'a' END)",
  "strptime(CASE WHEN {c} THEN 'x' ELSE '2020' END, '%Y') IS NOT NULL",
  'len([1, 2, 3][1:2:(CASE WHEN {c} THEN 0 ELSE 1 END)]) > 0',
  "date_add(DATE '2020-01-01', to_years(CASE WHEN {c} THEN 300000 ELSE 0 END)) IS NOT NULL",
  "CASE WHEN {c} THEN error('hidden row') ELSE true END",
];

/** A raising boolean over relation `rel` aliased `a`. */
export function raisingPredicate(rel: RelName, a: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...RAISERS), fc.constantFrom(...RAISE_WHEN[rel]))
    .map(([raiser, when]) => raiser.replaceAll('{c}', `(${when.replaceAll('{a}', a)})`));
}

/** SELECTs that put a raising expression wherever a caller can: WHERE, ON, SELECT, HAVING, subqueries. */
export const raisingTemplate: fc.Arbitrary<string> = fc.oneof(
  relName.chain((rel) =>
    raisingPredicate(rel, 'x').map((p) => `SELECT count(*) FROM {{${rel} x}} WHERE ${p}`),
  ),
  relName.chain((rel) =>
    raisingPredicate(rel, 'x').map((p) => `SELECT x.id FROM {{${rel} x}} WHERE x.id LIKE '%' AND ${p}`),
  ),
  relName.chain((rel) => raisingPredicate(rel, 'x').map((p) => `SELECT x.id, ${p} AS v FROM {{${rel} x}}`)),
  relName.chain((rel) =>
    raisingPredicate(rel, 'x').map((p) => `SELECT count(*) FILTER (WHERE ${p}) FROM {{${rel} x}}`),
  ),
  raisingPredicate('patients', 'x').map(
    (p) => `SELECT x.zip, count(*) FROM {{patients x}} GROUP BY x.zip HAVING bool_or(${p})`,
  ),
  fc
    .tuple(raisingPredicate('encounters', 'e'), fc.constantFrom('WHERE', 'ON'))
    .map(([p, where]) =>
      where === 'ON'
        ? `SELECT count(*) FROM {{encounters e}} JOIN {{patients p}} ON e.patient = p.id AND ${p}`
        : `SELECT count(*) FROM {{encounters e}} JOIN {{patients p}} ON e.patient = p.id WHERE ${p}`,
    ),
  raisingPredicate('patients', 'p').map(
    (p) => `SELECT count(*) FROM {{encounters e}} LEFT JOIN {{patients p}} ON e.patient = p.id WHERE ${p}`,
  ),
  raisingPredicate('encounters', 'e').map(
    (p) =>
      `SELECT count(*) FROM {{patients p}} WHERE p.id IN (SELECT e.patient FROM {{encounters e}} WHERE ${p})`,
  ),
  raisingPredicate('encounters', 'e').map(
    (p) =>
      `SELECT count(*) FROM {{patients p}} WHERE EXISTS (SELECT 1 FROM {{encounters e}} WHERE e.patient = p.id AND ${p})`,
  ),
  relName.chain((rel) =>
    fc
      .tuple(raisingPredicate(rel, 'w'), fc.constantFrom('cte', 'derived'))
      .map(([p, wrap]) =>
        wrap === 'cte'
          ? `WITH w AS (SELECT * FROM {{${rel} x}}) SELECT count(*) FROM w WHERE ${p}`
          : `SELECT count(*) FROM (SELECT * FROM {{${rel} x}}) AS w WHERE ${p}`,
      ),
  ),
);
