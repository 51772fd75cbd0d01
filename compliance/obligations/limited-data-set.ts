import type { DoctorCheck, DoctorInputs } from '../types.ts';

/**
 * A limited data set (45 CFR 164.514(e)) keeps dates and towns, so it may only be disclosed under
 * a data use agreement. When a role that sees one (`compliance.limited_data_set_roles`) is granted
 * to anyone in the workspace's own files, `compliance.data_use_agreement` must name the agreement;
 * otherwise that is a gap naming who holds the role.
 */
export async function checkLimitedDataSet(inputs: DoctorInputs, check: DoctorCheck): Promise<void> {
  const { data_use_agreement: dua, limited_data_set_roles: roles } = inputs.config.compliance;
  const grants = inputs.roleGrants ? await inputs.roleGrants() : [];
  const holders = grants.filter((g) => g.roles.some((r) => roles.includes(r))).map((g) => g.to);
  if (!holders.length) {
    if (dua) check.evidence.push(`Data use agreement on file: ${dua}.`);
    return;
  }
  const roleList = roles.join(', ');
  if (dua) {
    check.evidence.push(
      `A limited data set (role ${roleList}) is granted to ${holders.join('; ')} under data use agreement ${dua}.`,
    );
    return;
  }
  check.gaps.push(
    `The limited-data-set role ${roleList} is granted to ${holders.join('; ')}, but analyst.yaml names no data use agreement: set compliance.data_use_agreement to its reference (45 CFR 164.514(e)(4)), or remove the grant.`,
  );
}
