// The compose file is checked, not run (no container engine here): the compose CLI must accept
// it, with and without the gpu profile, and it must keep the properties the deployment promises.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));

function composeConfig(...args: string[]) {
  // `docker compose` (v2 plugin) where present; Debian's docker-compose otherwise.
  const v2 = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const [cmd, base] = v2.status === 0 ? ['docker', ['compose']] : ['docker-compose', []];
  return spawnSync(cmd, [...base, ...args, 'config'], { cwd: root, encoding: 'utf8' });
}

describe('docker-compose.yml', () => {
  it('is accepted by the compose CLI, with the gpu profile too', () => {
    const plain = composeConfig();
    expect(plain.status, plain.stderr).toBe(0);
    const gpu = composeConfig('--profile', 'gpu');
    expect(gpu.status, gpu.stderr).toBe(0);
    expect(gpu.stdout).toContain('vllm');
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
