import type { DoctorCheck, ObligationCheck } from '../types.ts';
import { checkLimitedDataSet } from './limited-data-set.ts';

/**
 * Obligation 4: access controls enforce minimum necessary. Every cube with PHI members has an
 * access policy; the evidence lists which roles can see direct identifiers, and a policy that
 * shows them to every role is a gap. A limited-data-set role granted to anyone needs the data use
 * agreement's reference in the configuration.
 */
export const checkAccessPolicies: ObligationCheck = async (inputs) => {
  const { cubes } = inputs;
  const check: DoctorCheck = {
    id: 4,
    ok: true,
    title: 'Access policies enforce minimum necessary',
    evidence: [],
    gaps: [],
  };
  let list: Awaited<ReturnType<typeof cubes>>;
  try {
    list = await cubes();
  } catch (err) {
    check.ok = false;
    check.gaps.push(`The semantic model cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    return check;
  }
  const withPhi = list.filter((c) => c.phiMembers.length > 0);
  if (!withPhi.length) check.evidence.push('No cube in the semantic model has PHI members (meta.phi).');
  for (const c of withPhi) {
    const direct = c.phiMembers.filter((m) => m.phi === 'direct').map((m) => m.member);
    const where = c.source ? ` (${c.source})` : '';
    if (!c.hasAccessPolicy) {
      check.gaps.push(
        `Cube ${c.cube}${where} has PHI members (${c.phiMembers.map((m) => m.member).join(', ')}) but no access_policy.`,
      );
      continue;
    }
    if (!direct.length) {
      check.evidence.push(`Cube ${c.cube}: access policy present; quasi-identifiers only.`);
    } else if (c.rolesSeeingDirect.includes('*')) {
      check.gaps.push(`Cube ${c.cube}: every role can see its direct identifiers (${direct.join(', ')}).`);
    } else {
      const roles = c.rolesSeeingDirect.length ? c.rolesSeeingDirect.join(', ') : 'no role';
      check.evidence.push(
        `Cube ${c.cube}: access policy present; direct identifiers (${direct.join(', ')}) visible to ${roles}.`,
      );
    }
  }
  await checkLimitedDataSet(inputs, check);
  check.ok = check.gaps.length === 0;
  return check;
};
