/** Access policies evaluated for one caller: allowed cubes, row filters, member states. */
export {
  type AccessScope,
  type BoundFilter,
  type EntityAccess,
  evaluateAccess,
  fullAccess,
  type MemberAccess,
} from './evaluate-access.ts';
