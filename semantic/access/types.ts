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
  /**
   * The policies that match the caller (group and conditions), in model order; null when the
   * entity has no `access_policy`. A query is governed by those of them that cover every member
   * it uses of this entity (see `narrowForQuery`).
   */
  applied: AppliedPolicy[] | null;
  /** Members hidden for safety, not by member_level: no view may expose them. */
  pinned: Set<string>;
}

/** One matching policy, bound to the caller. */
export interface AppliedPolicy {
  /** Cube's grouping key: row filters of the same key are AND-ed, of different keys OR-ed. */
  key: string;
  /** How the policy lets the caller use a member, or null when it does not cover it. */
  grants(member: string): 'full' | 'masked' | null;
  /** null: every row; `{ deny: true }`: no rows of its own (`allow_all: false`). */
  rowFilter: BoundFilter | null;
  minGroupSize: number;
  protectColumns: boolean;
}

/** The caller's access to the whole model. Computed once per security context. */
export interface AccessScope {
  cubes: Map<string, EntityAccess>;
  views: Map<string, EntityAccess>;
}
