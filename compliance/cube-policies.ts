import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import type { CubeAccess } from './types.ts';

interface YamlMember {
  name?: unknown;
  meta?: { phi?: unknown } | null;
}
interface YamlPolicy {
  role?: unknown;
  group?: unknown;
  groups?: unknown;
  member_level?: { includes?: unknown; excludes?: unknown } | null;
}
interface YamlCube {
  name?: unknown;
  dimensions?: YamlMember[];
  measures?: YamlMember[];
  access_policy?: YamlPolicy[];
}

/**
 * Read Cube-format YAML files under `modelDir` directly (no semantic layer needed) and report each
 * cube's PHI members (`meta.phi: direct | quasi`) and which roles its `access_policy` lets see the
 * direct ones. A missing folder means no model yet: an empty list.
 *
 * @example const cubes = await readCubeAccess('/ws/model');
 */
export async function readCubeAccess(modelDir: string): Promise<CubeAccess[]> {
  const files = await yamlFiles(modelDir);
  const out: CubeAccess[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(await readFile(file, 'utf8'));
    } catch (cause) {
      throw new Error(`${relative(modelDir, file)} is not valid YAML`, { cause });
    }
    const cubes = (doc as { cubes?: unknown } | null)?.cubes;
    if (!Array.isArray(cubes)) continue;
    for (const cube of cubes as YamlCube[]) out.push(cubeAccess(cube, relative(modelDir, file)));
  }
  return out;
}

/** One cube's PHI members and policy reach. */
export function cubeAccess(cube: YamlCube, source?: string): CubeAccess {
  const members = [...(cube.dimensions ?? []), ...(cube.measures ?? [])];
  const phiMembers = members.flatMap((m): CubeAccess['phiMembers'] => {
    const phi = m?.meta?.phi;
    return typeof m?.name === 'string' && (phi === 'direct' || phi === 'quasi')
      ? [{ member: m.name, phi }]
      : [];
  });
  const direct = phiMembers.filter((m) => m.phi === 'direct').map((m) => m.member);
  const name = String(cube.name ?? '(unnamed)');
  const policies = Array.isArray(cube.access_policy) ? cube.access_policy : [];
  const roles = new Set<string>();
  for (const p of policies) {
    if (!direct.some((m) => visible(p, name, m))) continue;
    for (const r of rolesOf(p)) roles.add(r);
  }
  return {
    cube: name,
    ...(source ? { source } : {}),
    phiMembers,
    hasAccessPolicy: policies.length > 0,
    rolesSeeingDirect: [...roles].sort(),
  };
}

/** Whether a policy's member_level shows `member` (no member_level: everything is visible). */
function visible(p: YamlPolicy, cube: string, member: string): boolean {
  const ml = p.member_level;
  if (!ml) return true;
  const names = [member, `${cube}.${member}`];
  const inList = (v: unknown) =>
    v === '*' || (Array.isArray(v) && v.some((x) => x === '*' || names.includes(String(x))));
  const included = ml.includes === undefined || inList(ml.includes);
  const excluded = Array.isArray(ml.excludes) && ml.excludes.some((x) => names.includes(String(x)));
  return included && !excluded;
}

function rolesOf(p: YamlPolicy): string[] {
  const raw = [p.role, p.group, ...(Array.isArray(p.groups) ? p.groups : [])];
  return raw.filter((r): r is string => typeof r === 'string');
}

async function yamlFiles(dir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await yamlFiles(path)));
    else if (/\.ya?ml$/i.test(e.name)) out.push(path);
  }
  return out;
}
