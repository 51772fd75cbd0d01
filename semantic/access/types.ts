/** How a caller may use a member: as is, only through its mask, or not at all. */
export type MemberAccess = 'full' | 'masked' | 'hidden';

/** A row filter with security-context values already substituted; `deny` leaves match no row. */
export type BoundFilter =
  | { member: string; operator: string; values: string[] }
  | { deny: true }
  | { and: BoundFilter[] }
  | { or: BoundFilter[] };

/** What one caller may do with one cube or view. */
export interface EntityAccess {
  allowed: boolean;
  /** Rows the caller may see: null means all; otherwise the filter (an OR of policies). */
  rowFilter: BoundFilter | null;
  members: Map<string, MemberAccess>;
  /** Segments whose SQL reads a column the caller may not see unmasked. */
  blockedSegments: Set<string>;
  /** Small-cell suppression: cells of fewer distinct persons are suppressed (0: none). */
  minGroupSize: number;
}

/** The caller's access to the whole model. Computed once per security context. */
export interface AccessScope {
  cubes: Map<string, EntityAccess>;
  views: Map<string, EntityAccess>;
}
