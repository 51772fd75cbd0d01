/**
 * Quote an SQL identifier for DuckDB (double quotes, embedded quotes doubled).
 * Used only for names we control or have validated; values always go through bound parameters.
 *
 * @example quoteIdent('my "table"') // => '"my ""table"""'
 */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('identifier contains a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Quote a string literal for statements that cannot take parameters (ATTACH, SET, CALL options).
 *
 * @example quoteLiteral("it's") // => "'it''s'"
 */
export function quoteLiteral(value: string): string {
  if (value.includes('\u0000')) throw new Error('literal contains a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}
