/** Shared primitives every folder may import: the error base and small helpers. */
export { AnalystError, hasCode, isAnalystError } from './errors.ts';
export { RESTRICTED_ZIP3 } from './safe-harbor.ts';
export { quoteIdent, quoteLiteral } from './sql-quote.ts';
