/** Access policies evaluated for one caller: allowed cubes, row filters, member states. */
export { evaluateAccess, fullAccess } from './evaluate-access.ts';
export { narrowForQuery, type QueryMembers, queryMembers } from './narrow-for-query.ts';
export type { AccessScope, AppliedPolicy, BoundFilter, EntityAccess, MemberAccess } from './types.ts';
