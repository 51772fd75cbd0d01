import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/index.ts';
import { IncidentError } from './errors.ts';
import type { IncidentReporter } from './incident-reporter.ts';

/** An emergency elevation: extra roles for a user, for a few minutes, for a stated reason. */
export interface BreakGlassGrant {
  grantId: string;
  userId: string;
  roles: string[];
  reason: string;
  grantedAt: string;
  expiresAt: string;
  auditId: string;
}

export interface BreakGlassRequest {
  userId: string;
  /** The roles to add, e.g. ['clinician-all-sites']. */
  roles: string[];
  /** Why: required, at least `minReasonLength` characters; kept encrypted in the audit log. */
  reason: string;
  minutes: number;
  /** Who granted it (an admin, or the operator at the CLI); recorded with the grant. */
  grantedBy?: string;
  requestId?: string;
  clientAddress?: string;
}

export interface BreakGlassOptions {
  audit: Pick<AuditLog, 'append' | 'search'>;
  reporter: IncidentReporter | null;
  /** The longest elevation allowed. */
  maxMinutes?: number;
  minReasonLength?: number;
  now?: () => Date;
  /**
   * How long a read of the grants may be reused (ms; default 0). A server checks grants on every
   * request; grants made in this process are seen at once, other replicas' within this time.
   */
  cacheMs?: number;
}

type GrantDetails = {
  action: 'grant' | 'revoke';
  grantId: string;
  roles?: string[];
  expiresAt?: string;
  by?: string;
};

/**
 * Break-glass access (HIPAA's emergency access procedure). A grant needs a reason, lasts at most
 * `maxMinutes`, is written to the audit log before it takes effect (no record, no grant) and pages
 * the on-call webhook. Grants live in the audit log itself, so every replica sees the same ones.
 *
 * @example
 * const grant = await breakGlass.elevate({ userId: 'dr-lee', roles: ['clinician-all-sites'],
 *   reason: 'Unconscious patient in ED, records needed for treatment', minutes: 60 });
 * const roles = await breakGlass.effectiveRoles('dr-lee', ['clinician']);
 */
export class BreakGlass {
  private readonly now: () => Date;
  private readonly maxMinutes: number;
  private cached: { at: number; grants: Promise<BreakGlassGrant[]> } | null = null;

  constructor(private readonly o: BreakGlassOptions) {
    this.now = o.now ?? (() => new Date());
    this.maxMinutes = o.maxMinutes ?? 240;
  }

  async elevate(req: BreakGlassRequest): Promise<BreakGlassGrant> {
    const minReason = this.o.minReasonLength ?? 15;
    const reason = req.reason.trim();
    const problem =
      reason.length < minReason
        ? `a reason of at least ${minReason} characters is required`
        : !req.roles.length
          ? 'name at least one role to grant'
          : !(Number.isInteger(req.minutes) && req.minutes >= 1 && req.minutes <= this.maxMinutes)
            ? `the elevation must last 1 to ${this.maxMinutes} whole minutes`
            : null;
    const base = {
      type: 'break_glass' as const,
      userId: req.userId,
      route: 'break-glass',
      ...(req.requestId ? { requestId: req.requestId } : {}),
      ...(req.clientAddress ? { clientAddress: req.clientAddress } : {}),
    };
    if (problem) {
      await this.o.audit.append({
        ...base,
        outcome: 'refused',
        reason,
        details: { action: 'refused', problem },
      });
      throw new IncidentError('BREAK_GLASS_REFUSED', `Break-glass refused: ${problem}.`, { exitCode: 3 });
    }
    const grantedAt = this.now();
    const expiresAt = new Date(grantedAt.getTime() + req.minutes * 60_000).toISOString();
    const grantId = randomUUID();
    const details: GrantDetails = {
      action: 'grant',
      grantId,
      roles: req.roles,
      expiresAt,
      ...(req.grantedBy ? { by: req.grantedBy } : {}),
    };
    // Written (durably) before the grant exists: if this throws, there is no elevation.
    const receipt = await this.o.audit.append({ ...base, outcome: 'ok', roles: req.roles, reason, details });
    this.cached = null;
    const grant: BreakGlassGrant = {
      grantId,
      userId: req.userId,
      roles: req.roles,
      reason,
      grantedAt: receipt.time,
      expiresAt,
      auditId: receipt.id,
    };
    await this.o.reporter?.page(
      {
        kind: 'break_glass_granted',
        severity: 'warning',
        summary: `Break-glass: ${req.userId} elevated to ${req.roles.join(', ')} for ${req.minutes} minutes (reason in audit record ${receipt.id}).`,
        details: { userId: req.userId, roles: req.roles, expiresAt, grantId },
      },
      'break_glass',
      receipt.id,
    );
    return grant;
  }

  /** End a grant early. */
  async revoke(grantId: string, by: string): Promise<void> {
    const grant = (await this.scan()).find((g) => g.grantId === grantId);
    if (!grant)
      throw new IncidentError('BREAK_GLASS_REFUSED', `No active break-glass grant ${grantId}.`, {
        exitCode: 2,
      });
    const details: GrantDetails = { action: 'revoke', grantId, by };
    await this.o.audit.append({
      type: 'break_glass',
      outcome: 'ok',
      userId: grant.userId,
      route: 'break-glass',
      details,
    });
    this.cached = null;
  }

  /** The user's grants that have not expired or been revoked. */
  async active(userId?: string): Promise<BreakGlassGrant[]> {
    const now = this.now().toISOString();
    return (await this.grants()).filter(
      (g) => (userId === undefined || g.userId === userId) && g.expiresAt > now,
    );
  }

  private grants(): Promise<BreakGlassGrant[]> {
    const ttl = this.o.cacheMs ?? 0;
    const t = this.now().getTime();
    if (ttl > 0 && this.cached && t - this.cached.at < ttl) return this.cached.grants;
    const grants = this.scan();
    if (ttl > 0) {
      this.cached = { at: t, grants };
      grants.catch(() => {
        this.cached = null;
      });
    }
    return grants;
  }

  /** The user's own roles plus any granted by an active break-glass. */
  async effectiveRoles(userId: string, roles: readonly string[]): Promise<string[]> {
    const extra = (await this.active(userId)).flatMap((g) => g.roles);
    return [...new Set([...roles, ...extra])];
  }

  private async scan(): Promise<BreakGlassGrant[]> {
    const now = this.now();
    const from = new Date(now.getTime() - this.maxMinutes * 60_000 - 60_000).toISOString();
    const { records } = await this.o.audit.search({ type: 'break_glass', from }, { limit: 1000 });
    const revoked = new Set<string>();
    const grants: BreakGlassGrant[] = [];
    for (const r of records) {
      const d = r.details as Partial<GrantDetails> | undefined;
      if (d?.action === 'revoke' && d.grantId) revoked.add(d.grantId);
      if (d?.action === 'grant' && d.grantId && d.expiresAt && d.expiresAt > now.toISOString() && r.userId) {
        grants.push({
          grantId: d.grantId,
          userId: r.userId,
          roles: d.roles ?? [],
          reason: r.reason ?? '',
          grantedAt: r.time,
          expiresAt: d.expiresAt,
          auditId: r.id,
        });
      }
    }
    return grants.filter((g) => !revoked.has(g.grantId));
  }
}
