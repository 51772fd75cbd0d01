import type { EndpointHealthState } from '../incidents/index.ts';
import type { AnalystConfig } from '../workspace/index.ts';

/** One obligation's verdict: `ok` when there are no gaps; evidence says why it holds. */
export interface DoctorCheck {
  id: 1 | 2 | 3 | 4 | 5 | 6;
  ok: boolean;
  title: string;
  evidence: string[];
  gaps: string[];
}

/** What `analyst doctor --json` prints and `GET /v1/compliance` returns. */
export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
  /** One sentence per region: what is stored or processed there. */
  residency: string[];
}

/** What the audit log can tell the doctor. */
export interface AuditStatus {
  /** Where records are kept (no credentials). */
  store: string;
  /** The last `verify` on this store, or null when it never ran. */
  lastVerify: {
    ok: boolean;
    verifiedAt: string;
    records: number;
    firstProblem: { message: string } | null;
  } | null;
  /** The store held to its anchors now (not from the last verify, which a copied-back store brings back). */
  anchors?: { files: number; count: number; anchoredThrough: number; problems: string[] };
}

/** A cube that has PHI members, with what its access policy lets each role see. */
export interface CubeAccess {
  cube: string;
  /** Where it was defined, for the evidence (a file path). */
  source?: string;
  phiMembers: { member: string; phi: 'direct' | 'quasi' }[];
  hasAccessPolicy: boolean;
  /** Roles that can see at least one direct identifier; `*` means every role. */
  rolesSeeingDirect: string[];
}

/**
 * Everything the doctor reads. Each source is a provider so the server, the CLI and tests can
 * supply their own: the semantic layer can replace the YAML reader for cubes, a running server
 * can add live breaker states.
 */
export interface DoctorInputs {
  config: AnalystConfig;
  /** Throws when the audit store cannot be reached (that is a gap). */
  audit: () => Promise<AuditStatus>;
  cubes: () => Promise<CubeAccess[]>;
  health?: () => Promise<EndpointHealthState[]>;
  /** Who holds which roles by the workspace's own files (users.yaml, break-glass roles). */
  roleGrants?: () => Promise<Array<{ to: string; roles: string[] }>>;
  /** Break-glass grants in force now (from the audit trail). */
  breakGlass?: () => Promise<Array<{ userId: string; roles: string[]; expiresAt: string }>>;
  now?: Date;
}

/** An obligation check: reads its inputs, never throws for a gap. */
export type ObligationCheck = (inputs: DoctorInputs, now: Date) => Promise<DoctorCheck>;
