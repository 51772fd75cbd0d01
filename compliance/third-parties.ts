import type { AnalystConfig, ThirdPartyConfig } from '../workspace/index.ts';

/** A place PHI is stored or processed, with what the config says about who runs it. */
export interface PhiLocation {
  /** What it is, for a person: "the lake catalog (PostgreSQL at db.example.org)". */
  label: string;
  /** The short noun for residency sentences: "the lake catalog". */
  noun: string;
  /** `local`: on this host or in the workspace, no third party. */
  local: boolean;
  party: ThirdPartyConfig | undefined;
  /** Config key where its paperwork belongs. */
  configKey: string;
  region: string | undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '']);

/** Whether a URL's host is this machine (loopback or a Unix socket). */
export function isLocalUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return LOOPBACK.has(u.hostname) || u.hostname.startsWith('127.') || u.searchParams.has('host');
  } catch {
    return false;
  }
}

/** The host of a URL, never its credentials or path. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host || '(socket)';
  } catch {
    return '(unparsable URL)';
  }
}

/** The lake data, catalog and audit store: where each lives and who runs it. */
export function storageLocations(config: AnalystConfig): PhiLocation[] {
  const lake = config.lake;
  const c = config.compliance;
  const out: PhiLocation[] = [];
  const remoteData = /^[a-z0-9]+:\/\//i.test(lake.data_path);
  const s3Local = lake.s3?.endpoint ? isLocalUrl(withScheme(lake.s3.endpoint)) : false;
  out.push({
    label: remoteData
      ? `lake data (${lake.data_path.split('/').slice(0, 3).join('/')})`
      : 'lake data (local disk)',
    noun: 'lake data',
    local: !remoteData || s3Local,
    party: c.object_storage,
    configKey: 'compliance.object_storage',
    region: c.object_storage?.region ?? lake.s3?.region,
  });
  const pgCatalog = lake.catalog !== 'duckdb';
  out.push({
    label: pgCatalog
      ? `the lake catalog (PostgreSQL at ${hostOf(lake.catalog)})`
      : 'the lake catalog (embedded file)',
    noun: 'the lake catalog',
    local: !pgCatalog || isLocalUrl(lake.catalog),
    party: c.catalog,
    configKey: 'compliance.catalog',
    region: c.catalog?.region,
  });
  const pgAudit = config.audit.store !== 'workspace';
  const auditUrl = /^postgres/.test(config.audit.store) ? config.audit.store : '';
  out.push({
    label: pgAudit
      ? `the audit log (PostgreSQL at ${auditUrl ? hostOf(auditUrl) : 'a configured URL'})`
      : 'the audit log (workspace file)',
    noun: 'the audit log',
    local: !pgAudit || (auditUrl !== '' && isLocalUrl(auditUrl)),
    party: c.audit_store,
    configKey: 'compliance.audit_store',
    region: c.audit_store?.region,
  });
  return out;
}

function withScheme(endpoint: string): string {
  return endpoint.includes('://') ? endpoint : `http://${endpoint}`;
}
