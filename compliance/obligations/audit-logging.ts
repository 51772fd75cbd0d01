import { isAbsolute } from 'node:path';
import type { AnalystConfig } from '../../workspace/index.ts';
import type { DoctorCheck, ObligationCheck } from '../types.ts';

const SIX_YEARS_DAYS = 2190;
const STALE_VERIFY_DAYS = 30;

/**
 * Obligation 3: every prompt and response audited, retained per policy, queryable. Audit on and
 * fail-closed, metadata kept six years, and a recent `analyst audit verify` that found it intact.
 */
export const checkAuditLogging: ObligationCheck = async ({ config, audit }, now) => {
  const a = config.audit;
  const check: DoctorCheck = {
    id: 3,
    ok: true,
    title: 'Audit logging of every prompt and response',
    evidence: [],
    gaps: [],
  };
  if (!a.enabled) check.gaps.push('Auditing is off (audit.enabled: false).');
  if (a.fail_closed)
    check.evidence.push('Fail-closed: a request whose audit record cannot be written gets 503 and no data.');
  else check.gaps.push('audit.fail_closed is false: requests go on when the audit record cannot be written.');
  const r = a.retention;
  check.evidence.push(
    `Retention: prompt/response/result bodies ${r.bodies_days} days, questions and SQL ${r.queries_days} days, metadata ${r.metadata_days} days.`,
  );
  if (r.metadata_days < SIX_YEARS_DAYS)
    check.gaps.push(
      `Audit metadata is kept ${r.metadata_days} days, less than HIPAA's six years (${SIX_YEARS_DAYS}).`,
    );
  check.evidence.push(a.legal_hold ? 'Legal hold is on: nothing is purged.' : 'Legal hold is off.');
  check.evidence.push(
    `Checkpoints signed (Ed25519) every ${a.checkpoint_every} records or ${a.checkpoint_minutes} minutes.`,
  );
  checkTamperEvidence(a, check);

  try {
    const status = await audit();
    check.evidence.push(`Audit store: ${status.store}.`);
    const anchored = status.anchors;
    if (anchored?.problems.length)
      check.gaps.push(`The audit store does not match its anchors: ${anchored.problems[0]}`);
    else if (anchored?.count)
      check.evidence.push(
        `The store holds every anchored checkpoint (${anchored.count}, through seq ${anchored.anchoredThrough}).`,
      );
    const v = status.lastVerify;
    if (!v) check.gaps.push('The audit log has never been verified: run analyst audit verify.');
    else if (!v.ok)
      check.gaps.push(
        `The last verify (${v.verifiedAt}) found the log altered: ${v.firstProblem?.message ?? 'see analyst audit verify'}`,
      );
    else {
      const ageDays = Math.floor((now.getTime() - Date.parse(v.verifiedAt)) / 86_400_000);
      check.evidence.push(`Last verify ${v.verifiedAt}: intact, ${v.records} records.`);
      if (ageDays > STALE_VERIFY_DAYS)
        check.gaps.push(
          `The last verify is ${ageDays} days old; verify at least every ${STALE_VERIFY_DAYS} days.`,
        );
    }
  } catch (err) {
    check.gaps.push(`The audit store cannot be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  check.ok = check.gaps.length === 0;
  return check;
};

/**
 * What keeps the audit store from being rolled back or re-signed unnoticed: a pinned signing key
 * and anchors outside the store. An anchor inside the workspace is noted: whoever can write the
 * workspace can rewrite it along with the store.
 */
function checkTamperEvidence(a: AnalystConfig['audit'], check: DoctorCheck): void {
  const pin = a.signing_key_fingerprint;
  if (!pin)
    check.gaps.push(
      'The audit signing key is not pinned (audit.signing_key_fingerprint): a log re-signed with a key swapped into keys/ would verify. Pin the fingerprint analyst audit verify prints.',
    );
  else
    check.evidence.push(
      pin.startsWith('${')
        ? `Audit signing key pinned by a trust file (${pin}).`
        : `Audit signing key pinned (${pin.slice(0, 23)}…).`,
    );
  if (!a.anchors.length) {
    check.gaps.push(
      'No audit anchors (audit.anchors): a store restored from an earlier copy, or with its newest rows deleted, would verify.',
    );
    return;
  }
  for (const { file } of a.anchors) {
    check.evidence.push(`Checkpoints anchored outside the store in ${file}.`);
    if (!isAbsolute(file))
      check.evidence.push(
        `The anchor ${file} is inside the workspace, where whoever can write the store's files can rewrite it too: move it to another mount and make it append-only (Linux: chattr +a).`,
      );
  }
}
