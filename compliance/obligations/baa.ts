import { type Baa, checkMcpClient, type LlmEndpointConfig } from '../../workspace/index.ts';
import { storageLocations } from '../third-parties.ts';
import type { DoctorCheck, ObligationCheck } from '../types.ts';

/**
 * Obligation 1: a BAA with every third party in the PHI path, signed before the first PHI
 * request. Model endpoints that may receive PHI (phi: deidentified or allowed), and any remote
 * object storage, catalog host or audit database, need a BAA on record or `on_prem: true`.
 */
export const checkBaa: ObligationCheck = async ({ config }, now) => {
  const check: DoctorCheck = {
    id: 1,
    ok: true,
    title: 'A BAA with every third party in the PHI path',
    evidence: [],
    gaps: [],
  };
  const today = now.toISOString().slice(0, 10);
  const baaGap = (what: string, baa: Baa) =>
    baa.signed > today
      ? `${what}: the BAA ${baa.reference} is dated ${baa.signed}, after today; no PHI may flow before it is signed.`
      : null;

  for (const [name, ep] of Object.entries(config.llm.endpoints)) {
    const what = `model endpoint ${name} (${ep.provider} ${ep.model})`;
    if (ep.on_prem) check.evidence.push(`${what}: on-prem, no third party.`);
    else if (ep.baa) {
      check.evidence.push(`${what}: ${describeBaa(ep.baa)}.`);
      const gap = baaGap(what, ep.baa);
      if (gap) check.gaps.push(gap);
    } else if (receivesPhi(ep)) {
      check.gaps.push(
        `${what} may receive PHI (phi: ${ep.phi}) but has no BAA recorded (llm.endpoints.${name}.baa: holder, reference, signed) and is not on_prem.`,
      );
    } else check.evidence.push(`${what}: receives no PHI (phi: none), so no BAA is needed.`);
  }
  if (!Object.keys(config.llm.endpoints).length)
    check.evidence.push('No model endpoints: the offline planner sends nothing out.');

  // MCP clients are outside applications with their own models: third parties like endpoints.
  if (config.mcp.enabled) {
    for (const [kind, client] of Object.entries(config.mcp.clients)) {
      const names = (client.names ?? [kind]).map((n) => (n === '*' ? 'any client' : n)).join(', ');
      const what = `MCP client ${kind} (${client.description ?? names})`;
      const checked = checkMcpClient(kind, client);
      if (client.phi !== 'allowed')
        check.evidence.push(
          `${what}: receives results through the PHI boundary (phi: ${client.phi}: Safe Harbor de-identified${client.phi === 'none' ? ', small cells suppressed' : ''}), so no BAA is needed.`,
        );
      else if (client.on_prem) check.evidence.push(`${what}: on-prem, no third party.`);
      else if (client.baa) {
        check.evidence.push(`${what}: ${describeBaa(client.baa)}.`);
        const gap = baaGap(what, client.baa);
        if (gap) check.gaps.push(gap);
      }
      if (!checked.ok)
        check.gaps.push(
          `${what} may receive PHI (phi: allowed) but cannot be served: ${checked.findings.map((f) => `${f.path}: ${f.reason}`).join('; ')}.`,
        );
    }
  } else check.evidence.push('The MCP server is off (mcp.enabled: false).');

  for (const loc of storageLocations(config)) {
    if (loc.local) check.evidence.push(`${capitalise(loc.label)}: on this site, no third party.`);
    else if (loc.party?.on_prem) check.evidence.push(`${capitalise(loc.label)}: run by us (on_prem).`);
    else if (loc.party?.baa) {
      check.evidence.push(`${capitalise(loc.label)}: ${describeBaa(loc.party.baa)}.`);
      const gap = baaGap(loc.label, loc.party.baa);
      if (gap) check.gaps.push(gap);
    } else
      check.gaps.push(
        `${capitalise(loc.label)} is outside this host but has no BAA recorded (${loc.configKey}.baa) and is not marked on_prem.`,
      );
  }
  check.ok = check.gaps.length === 0;
  return check;
};

function receivesPhi(ep: LlmEndpointConfig): boolean {
  return ep.phi !== 'none';
}

function describeBaa(baa: Baa): string {
  return `BAA ${baa.reference} with ${baa.holder}, signed ${baa.signed}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
