/**
 * The SQL API over the PostgreSQL wire protocol: psql, BI tools and drivers connect to the
 * governed layer (cubes and views as tables) with a token as their password.
 */
export type { SqlTable } from './catalog.ts';
export { isLoopback, type SqlListener, startSqlListener } from './listener.ts';
export type { RelationMeasures } from './measures.ts';
export type { SqlSecurityContext, SqlWireOptions, SqlWireServices } from './services.ts';
