import { hostOf } from '../third-parties.ts';
import type { DoctorCheck, ObligationCheck } from '../types.ts';

/**
 * Obligation 6: an incident path that includes the model endpoint. Someone on call, a pager
 * webhook, and every endpoint's health watched by a circuit breaker that raises an incident.
 */
export const checkIncidentPath: ObligationCheck = async ({ config, health, breakGlass }) => {
  const inc = config.incident;
  const check: DoctorCheck = {
    id: 6,
    ok: true,
    title: 'An incident path that includes the model endpoints',
    evidence: [],
    gaps: [],
  };
  if (inc.on_call) check.evidence.push(`On call: ${inc.on_call}.`);
  else check.gaps.push('Nobody is on call (incident.on_call).');
  if (inc.notify.length) check.evidence.push(`Also notified: ${inc.notify.join(', ')}.`);
  if (!inc.webhook) check.gaps.push('No pager webhook (incident.webhook): incidents would page nobody.');
  else if (/^\$\{/.test(inc.webhook)) check.evidence.push(`Pager webhook from ${inc.webhook}.`);
  else check.evidence.push(`Pager webhook at ${hostOf(inc.webhook)}.`);

  const names = Object.keys(config.llm.endpoints);
  const h = inc.endpoint_health;
  if (!names.length) check.evidence.push('No model endpoints to watch.');
  else if (!h.watch)
    check.gaps.push(
      `Endpoint health is not watched (incident.endpoint_health.watch: false) for ${names.join(', ')}.`,
    );
  else
    check.evidence.push(
      `Endpoint health watched for ${names.join(', ')}: the breaker opens at ${pct(h.error_rate)} errors or ${pct(h.slow_rate)} calls slower than ${h.latency_ms} ms over the last ${h.window} calls, raises an incident and pages.`,
    );
  const bg = inc.break_glass;
  check.evidence.push(
    `Break-glass (analyst break-glass, POST /v1/admin/break-glass) adds ${bg.roles.join(', ')} for at most ${bg.max_minutes} minutes, recorded in the audit trail before it takes effect, and pages.`,
  );
  if (breakGlass) {
    const grants = await breakGlass().catch(() => null);
    if (grants === null) check.evidence.push('Break-glass grants in force: could not be read.');
    else if (!grants.length) check.evidence.push('Break-glass grants in force: none.');
    else
      for (const g of grants)
        check.evidence.push(
          `Break-glass in force: ${g.userId} holds ${g.roles.join(', ')} until ${g.expiresAt}.`,
        );
  }
  if (health) {
    for (const s of await health().catch(() => [])) {
      if (s.state !== 'closed') check.evidence.push(`Endpoint ${s.endpoint}: circuit ${s.state} now.`);
    }
  }
  check.ok = check.gaps.length === 0;
  return check;
};

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
