/** Access policies evaluated for one caller: allowed cubes, row filters, member states. */
export { evaluateAccess, fullAccess } from './evaluate-access.ts';
export type { AccessScope, BoundFilter, EntityAccess, MemberAccess } from './types.ts';
