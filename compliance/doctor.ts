import { access } from 'node:fs/promises';
import { AuditLog, auditLogConfig } from '../audit/index.ts';
import { createIncidentPath } from '../incidents/index.ts';
import type { Workspace } from '../workspace/index.ts';
import { readCubeAccess } from './cube-policies.ts';
import { checkAccessPolicies } from './obligations/access-policies.ts';
import { checkAuditLogging } from './obligations/audit-logging.ts';
import { checkBaa } from './obligations/baa.ts';
import { checkIncidentPath } from './obligations/incident-path.ts';
import { checkResidency, residency } from './obligations/residency.ts';
import { checkTerms } from './obligations/terms.ts';
import type { AuditStatus, DoctorInputs, DoctorReport } from './types.ts';

const CHECKS = [
  checkBaa,
  checkTerms,
  checkAuditLogging,
  checkAccessPolicies,
  checkResidency,
  checkIncidentPath,
];

/**
 * The compliance doctor: the six obligations every deployment owes, each with evidence and gaps.
 * `ok` only when no check has a gap (what `--strict` and `serve --strict` enforce).
 *
 * @example
 * const report = await runDoctor(await workspaceDoctorInputs(ws));
 * if (!report.ok) console.log(report.checks.flatMap((c) => c.gaps));
 */
export async function runDoctor(inputs: DoctorInputs): Promise<DoctorReport> {
  const now = inputs.now ?? new Date();
  const checks = [];
  for (const check of CHECKS) checks.push(await check(inputs, now));
  return { ok: checks.every((c) => c.ok), checks, residency: residency(inputs.config).sentences };
}

/**
 * The doctor's inputs for a workspace: analyst.yaml, the audit log's last verify, and the Cube
 * YAML files in `modelDir` (default `model/`). The semantic layer can pass its own `cubes`.
 */
export function workspaceDoctorInputs(
  ws: Workspace,
  options: { modelDir?: string; cubes?: DoctorInputs['cubes']; health?: DoctorInputs['health'] } = {},
): DoctorInputs {
  return {
    config: ws.config,
    audit: () => auditStatus(ws),
    cubes: options.cubes ?? (() => readCubeAccess(options.modelDir ?? ws.path('model'))),
    ...(options.health ? { health: options.health } : {}),
    breakGlass: () => activeBreakGlass(ws),
    roleGrants: async () => [
      ...ws.users.map((u) => ({ to: `user ${u.id} (users.yaml)`, roles: [...u.roles] })),
      {
        to: 'break-glass grants (incident.break_glass.roles)',
        roles: [...ws.config.incident.break_glass.roles],
      },
    ],
  };
}

/** Grants in force, read from the workspace's audit trail (none when it was never written). */
async function activeBreakGlass(ws: Workspace) {
  const config = auditLogConfig(ws);
  if (config.store.kind === 'sqlite' && !(await exists(config.store.path))) return [];
  const log = await AuditLog.open(config);
  try {
    const grants = await createIncidentPath(ws, log).breakGlass.active();
    return grants.map((g) => ({ userId: g.userId, roles: g.roles, expiresAt: g.expiresAt }));
  } finally {
    await log.close();
  }
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function auditStatus(ws: Workspace): Promise<AuditStatus> {
  const config = auditLogConfig(ws);
  // The doctor only reads: a workspace store that was never written has no verify to report.
  if (config.store.kind === 'sqlite') {
    if (!(await exists(config.store.path)))
      return { store: `sqlite ${config.store.path} (no records yet)`, lastVerify: null };
  }
  const log = await AuditLog.open(config);
  try {
    const { anchors, problems } = await log.checkAnchors();
    return {
      store: log.storeDescription,
      lastVerify: await log.lastVerify(),
      anchors: { ...anchors, problems: problems.map((p) => p.message) },
    };
  } finally {
    await log.close();
  }
}
