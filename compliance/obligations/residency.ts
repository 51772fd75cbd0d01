import type { AnalystConfig } from '../../workspace/index.ts';
import { storageLocations } from '../third-parties.ts';
import type { ObligationCheck } from '../types.ts';

/**
 * Obligation 5: data residency in one sentence per region. Every place PHI is stored (lake data,
 * catalog, audit log) or processed (each model endpoint) is placed in a region; one with no
 * known region is a gap.
 */
export const checkResidency: ObligationCheck = async ({ config }) => {
  const { sentences, unknown } = residency(config);
  return {
    id: 5,
    ok: unknown.length === 0,
    title: 'Data residency stated region by region',
    evidence: sentences,
    gaps: unknown,
  };
};

/** The residency sentences ("us-east-1: stores …; processes prompts for ….") and what has no region. */
export function residency(config: AnalystConfig): { sentences: string[]; unknown: string[] } {
  const site = config.compliance.site;
  const stores = new Map<string, string[]>();
  const processes = new Map<string, string[]>();
  const unknown: string[] = [];
  const add = (map: Map<string, string[]>, region: string, what: string) =>
    map.set(region, [...(map.get(region) ?? []), what]);

  for (const loc of storageLocations(config)) {
    const region = loc.local ? site : loc.party?.on_prem ? site : loc.region;
    if (region) add(stores, region, loc.noun);
    else unknown.push(`${loc.label}: no region recorded (${loc.configKey}.region).`);
  }
  for (const [name, ep] of Object.entries(config.llm.endpoints)) {
    const region = ep.region ?? (ep.on_prem ? site : undefined);
    const what = `model endpoint ${name} (${ep.provider} ${ep.model})`;
    if (region) add(processes, region, what);
    else
      unknown.push(
        `${what}: no region recorded (llm.endpoints.${name}.region); where its prompts are processed cannot be stated.`,
      );
  }
  const regions = [...new Set([...stores.keys(), ...processes.keys()])].sort((a, b) =>
    a === site ? -1 : b === site ? 1 : a.localeCompare(b),
  );
  const sentences = regions.map((region) => {
    const parts: string[] = [];
    const s = stores.get(region);
    const p = processes.get(region);
    if (s) parts.push(`stores ${list(s)}`);
    if (p) parts.push(`processes prompts and results for ${list(p)}`);
    return `${region}: ${parts.join('; ')}.`;
  });
  return { sentences, unknown };
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
