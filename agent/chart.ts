import type { ResultColumn } from '../lakehouse/index.ts';

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;
const TEMPORAL = /^(DATE|TIMESTAMP)/;

/**
 * A Vega-Lite spec when a chart helps: one category or time column and one number column over
 * at least two rows. Lines for time, sorted bars for categories. Rendered locally by the web app.
 */
export function chartFor(
  columns: ResultColumn[],
  rows: unknown[][],
  titles: (name: string) => string,
): Record<string, unknown> | null {
  if (rows.length < 2 || columns.length !== 2) return null;
  const numIdx = columns.findIndex((c) => NUMERIC.test(c.type));
  const keyIdx = numIdx === 0 ? 1 : 0;
  const num = columns[numIdx];
  const key = columns[keyIdx];
  if (numIdx < 0 || !num || !key || NUMERIC.test(key.type)) return null;
  const temporal = TEMPORAL.test(key.type);
  // Vega-Lite reads a dot in a field name as a nested path; result columns are flat keys such as
  // `encounters.start.year`, so the dots are escaped (unescaped, the chart draws nothing).
  const field = (name: string) => name.replace(/\./g, '\\.');
  const values = rows.map((r) => ({ [key.name]: r[keyIdx], [num.name]: r[numIdx] }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    data: { values },
    mark: temporal ? { type: 'line', point: true } : { type: 'bar' },
    encoding: {
      x: temporal
        ? { field: field(key.name), type: 'temporal', title: titles(key.name) }
        : { field: field(key.name), type: 'nominal', title: titles(key.name), sort: '-y' },
      y: { field: field(num.name), type: 'quantitative', title: titles(num.name) },
      tooltip: [
        { field: field(key.name), type: temporal ? 'temporal' : 'nominal', title: titles(key.name) },
        { field: field(num.name), type: 'quantitative', title: titles(num.name) },
      ],
    },
  };
}
