import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { AuditLog } from '../audit/index.ts';
import { requestRecord, sqliteConfig } from '../audit/testing/fixtures.ts';
import { analystConfigSchema, DEFAULT_DEV_USERS, initWorkspace, Workspace } from '../workspace/index.ts';
import { readCubeAccess } from './cube-policies.ts';
import { runDoctor, workspaceDoctorInputs } from './doctor.ts';
import type { AuditStatus, DoctorInputs } from './types.ts';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const tmp = mkdtempSync(join(tmpdir(), 'doctor-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BAA = { holder: 'Anthropic', reference: 'BAA-2024-17', signed: '2024-11-02' };
const CLAUDE = {
  provider: 'anthropic',
  model: 'claude-sonnet',
  region: 'us-east-1',
  phi: 'deidentified',
  baa: BAA,
  retention: 'zero',
  training: 'none',
};
const PINNED = `sha256:${'ab'.repeat(32)}`;
const GOOD_VERIFY: AuditStatus = {
  store: 'sqlite audit.db',
  lastVerify: { ok: true, verifiedAt: '2025-05-30T00:00:00.000Z', records: 42, firstProblem: null },
};

function inputs(yaml: Record<string, unknown>, over: Partial<DoctorInputs> = {}): DoctorInputs {
  const config = analystConfigSchema.parse({
    version: 1,
    lake: { catalog: 'duckdb' },
    llm: { default: 'claude', endpoints: { claude: CLAUDE } },
    incident: { on_call: 'privacy-oncall@example.org', webhook: 'https://pager.example.org/hook/abc' },
    compliance: { site: 'Springfield DC' },
    audit: { signing_key_fingerprint: PINNED },
    ...yaml,
  });
  return { config, audit: async () => GOOD_VERIFY, cubes: async () => [], now: NOW, ...over };
}

async function check(id: number, i: DoctorInputs) {
  const report = await runDoctor(i);
  const c = report.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return { report, c };
}

describe('compliance doctor', () => {
  it('prints the report shape with all six obligations met for a covered set-up', async () => {
    const report = await runDoctor(inputs({}));
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([1, 2, 3, 4, 5, 6]);
    for (const c of report.checks)
      expect(Object.keys(c).sort()).toEqual(['evidence', 'gaps', 'id', 'ok', 'title']);
  });

  it('1: a PHI endpoint without a BAA, a BAA dated in the future, a remote catalog host without one', async () => {
    const { endpoints } = {
      endpoints: {
        claude: { ...CLAUDE, baa: undefined },
        gpt: { ...CLAUDE, provider: 'openai', baa: { ...BAA, signed: '2026-01-01' } },
      },
    };
    const { c, report } = await check(
      1,
      inputs({
        llm: { default: 'claude', endpoints },
        lake: { catalog: 'postgres://analyst@db.example.org/lake' },
      }),
    );
    expect(report.ok).toBe(false);
    expect(c.ok).toBe(false);
    expect(c.gaps.join('\n')).toMatch(/claude .*no BAA recorded/);
    expect(c.gaps.join('\n')).toMatch(/BAA-2024-17 is dated 2026-01-01/);
    expect(c.gaps.join('\n')).toMatch(/catalog \(PostgreSQL at db\.example\.org\).*compliance\.catalog\.baa/);
    const fixed = await check(
      1,
      inputs({
        lake: { catalog: 'postgres://analyst@db.example.org/lake' },
        compliance: {
          catalog: {
            provider: 'AWS RDS',
            region: 'us-east-1',
            baa: { holder: 'AWS', reference: 'AWS-BAA', signed: '2024-01-01' },
          },
        },
      }),
    );
    expect(fixed.c.ok).toBe(true);
    expect(fixed.c.evidence.join('\n')).toContain('BAA BAA-2024-17 with Anthropic, signed 2024-11-02');
  });

  it('2: missing no-training and retention terms', async () => {
    const { c } = await check(
      2,
      inputs({
        llm: {
          default: 'offline',
          endpoints: {
            vertex: { provider: 'google-vertex', model: 'gemini', region: 'us-central1', phi: 'none' },
          },
        },
      }),
    );
    expect(c.ok).toBe(false);
    expect(c.gaps).toHaveLength(2);
    expect(c.gaps[0]).toMatch(/no no-training term/);
    expect(c.gaps[1]).toMatch(/no retention term/);
    expect((await check(2, inputs({}))).c.evidence).toContain(
      'Model endpoint claude (anthropic): zero data retention.',
    );
  });

  it('3: audit never verified, not fail-closed, short metadata retention; then a real verified log', async () => {
    const bad = await check(
      3,
      inputs(
        { audit: { fail_closed: false, retention: { metadata_days: 365 } } },
        { audit: async () => ({ store: 'sqlite x', lastVerify: null }) },
      ),
    );
    expect(bad.c.ok).toBe(false);
    expect(bad.c.gaps.join('\n')).toMatch(/fail_closed is false/);
    expect(bad.c.gaps.join('\n')).toMatch(/less than HIPAA's six years/);
    expect(bad.c.gaps.join('\n')).toMatch(/never been verified/);

    const { dir, config } = sqliteConfig();
    const log = await AuditLog.open(config);
    await log.append(requestRecord(1));
    await log.verify();
    const status = { store: log.storeDescription, lastVerify: await log.lastVerify() };
    await log.close();
    rmSync(dir, { recursive: true, force: true });
    const good = await check(3, inputs({}, { audit: async () => status, now: new Date() }));
    expect(good.c.ok).toBe(true);
    expect(good.c.evidence.join('\n')).toMatch(/Last verify .*: intact, 1 records/);
  });

  it('3: a store copied back behind its anchors is a gap, though its own last verify says intact', async () => {
    const { dir, config } = sqliteConfig();
    const anchored = { ...config, anchors: [{ kind: 'file' as const, path: join(dir, 'anchors.log') }] };
    const db = (config.store as { path: string }).path;
    const status = async (): Promise<AuditStatus> => {
      const log = await AuditLog.open(anchored);
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
    };
    try {
      const log = await AuditLog.open(anchored);
      for (let i = 1; i <= 4; i++) await log.append(requestRecord(i));
      await log.verify();
      await log.close();
      const held = await check(3, inputs({}, { audit: status, now: new Date() }));
      expect(held.c.ok).toBe(true);
      expect(held.c.evidence.join('\n')).toMatch(/holds every anchored checkpoint/);

      copyFileSync(db, `${db}.copy`);
      const more = await AuditLog.open(anchored);
      for (let i = 5; i <= 8; i++) await more.append(requestRecord(i));
      await more.close();
      copyFileSync(`${db}.copy`, db);
      const rolledBack = await check(3, inputs({}, { audit: status, now: new Date() }));
      expect(rolledBack.c.ok).toBe(false);
      expect(rolledBack.c.gaps.join('\n')).toMatch(/does not match its anchors: .*behind its anchor/);
      expect(rolledBack.c.evidence.join('\n')).toMatch(/Last verify .*: intact/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('3: an unpinned signing key and no anchors are gaps; an anchor inside the workspace is noted', async () => {
    const open = await check(3, inputs({ audit: { anchors: [] } }));
    expect(open.c.ok).toBe(false);
    expect(open.c.gaps.join('\n')).toMatch(/signing key is not pinned/);
    expect(open.c.gaps.join('\n')).toMatch(/No audit anchors/);

    const inside = await check(3, inputs({}));
    expect(inside.c.ok).toBe(true);
    expect(inside.c.evidence.join('\n')).toMatch(/pinned \(sha256:abab/);
    expect(inside.c.evidence.join('\n')).toMatch(/audit\/anchors.log is inside the workspace.*chattr \+a/);

    const outside = await check(
      3,
      inputs({
        audit: {
          signing_key_fingerprint: `\${file:/etc/analyst/audit.pin}`,
          anchors: [{ file: '/mnt/anchors/a.log' }],
        },
      }),
    );
    expect(outside.c.ok).toBe(true);
    expect(outside.c.evidence.join('\n')).toMatch(/pinned by a trust file/);
    expect(outside.c.evidence.join('\n')).not.toMatch(/inside the workspace/);
  });

  it('4: cubes with PHI members read from Cube YAML: missing policy, and who sees direct identifiers', async () => {
    const model = join(tmp, 'model');
    mkdirSync(join(model, 'cubes'), { recursive: true });
    writeFileSync(
      join(model, 'cubes', 'patients.yml'),
      `cubes:
  - name: patients
    sql_table: patients
    dimensions:
      - { name: id, sql: id, type: string, primary_key: true }
      - { name: ssn, sql: ssn, type: string, meta: { phi: direct } }
      - { name: birth_year, sql: year(birthdate), type: number, meta: { phi: quasi } }
    access_policy:
      - role: clinician
      - role: analyst
        member_level: { includes: "*", excludes: [ssn] }
  - name: claims
    sql_table: claims
    dimensions:
      - { name: member_id, sql: member_id, type: string, meta: { phi: direct } }
`,
    );
    const cubes = await readCubeAccess(model);
    expect(cubes.find((c) => c.cube === 'patients')?.rolesSeeingDirect).toEqual(['clinician']);
    const { c } = await check(4, inputs({}, { cubes: async () => cubes }));
    expect(c.ok).toBe(false);
    expect(c.gaps).toEqual([
      'Cube claims (cubes/patients.yml) has PHI members (member_id) but no access_policy.',
    ]);
    expect(c.evidence).toContain(
      'Cube patients: access policy present; direct identifiers (ssn) visible to clinician.',
    );
    const open = await check(
      4,
      inputs({}, { cubes: async () => [{ ...cubes[0]!, rolesSeeingDirect: ['*'] }] }),
    );
    expect(open.c.gaps[0]).toMatch(/every role can see its direct identifiers/);
  });

  it('5: one residency sentence per region, and a gap for an endpoint with no region', async () => {
    const { c, report } = await check(
      5,
      inputs({
        lake: { catalog: 'duckdb', data_path: 's3://phi-lake/data', s3: { region: 'us-east-1' } },
        compliance: {
          site: 'Springfield DC',
          object_storage: { provider: 'AWS', baa: { holder: 'AWS', reference: 'A1', signed: '2024-01-01' } },
        },
      }),
    );
    expect(c.ok).toBe(true);
    expect(report.residency).toEqual([
      'Springfield DC: stores the lake catalog and the audit log.',
      'us-east-1: stores lake data; processes prompts and results for model endpoint claude (anthropic claude-sonnet).',
    ]);
    const gap = await check(
      5,
      inputs({ llm: { default: 'claude', endpoints: { claude: { ...CLAUDE, region: undefined } } } }),
    );
    expect(gap.c.ok).toBe(false);
    expect(gap.c.gaps[0]).toMatch(/claude .*no region recorded/);
  });

  it('6: no on-call, no webhook, endpoint health not watched', async () => {
    const { c } = await check(6, inputs({ incident: { endpoint_health: { watch: false } } }));
    expect(c.ok).toBe(false);
    expect(c.gaps).toHaveLength(3);
    const good = await check(6, inputs({}, { health: async () => [{ endpoint: 'claude', state: 'open' }] }));
    expect(good.c.ok).toBe(true);
    expect(good.c.evidence).toContain('Pager webhook at pager.example.org.');
    expect(good.c.evidence).toContain('Endpoint claude: circuit open now.');
  });
});

describe('doctor: a limited data set needs a data use agreement', () => {
  const grants = (roles: string[]) => async () => [
    { to: 'user analyst (users.yaml)', roles: ['analyst'] },
    { to: 'user researcher (users.yaml)', roles },
  ];

  it('is a gap naming who holds the role when analyst.yaml names no agreement', async () => {
    const { c, report } = await check(4, inputs({}, { roleGrants: grants(['limited_data_set']) }));
    expect(c.ok).toBe(false);
    expect(report.ok).toBe(false);
    expect(c.gaps).toEqual([
      expect.stringMatching(
        /limited-data-set role limited_data_set is granted to user researcher \(users\.yaml\).*compliance\.data_use_agreement/,
      ),
    ]);
  });

  it('holds with the agreement reference, and shows it as evidence', async () => {
    const { c } = await check(
      4,
      inputs(
        { compliance: { site: 'Springfield DC', data_use_agreement: 'DUA-2026-004' } },
        { roleGrants: grants(['limited_data_set']) },
      ),
    );
    expect(c.ok).toBe(true);
    expect(c.evidence.join('\n')).toMatch(/user researcher .* under data use agreement DUA-2026-004/);
  });

  it('asks for nothing when nobody holds the role, and follows the configured role names', async () => {
    expect((await check(4, inputs({}, { roleGrants: grants(['analyst']) }))).c.ok).toBe(true);
    const custom = await check(
      4,
      inputs(
        { compliance: { site: 'Springfield DC', limited_data_set_roles: ['research'] } },
        { roleGrants: grants(['research']) },
      ),
    );
    expect(custom.c.ok).toBe(false);
    expect(custom.c.gaps[0]).toMatch(/role research is granted/);
  });
});

describe('doctor on a workspace: who holds the limited-data-set role comes from users.yaml', () => {
  it('names the user, and is satisfied once analyst.yaml records the agreement', async () => {
    const dir = join(tmp, 'lds-ws');
    await initWorkspace(dir, {
      users: [
        ...DEFAULT_DEV_USERS,
        { id: 'dua-reader', name: 'DUA', roles: ['limited_data_set'], attributes: {} },
      ],
    });
    const gaps = async () => {
      const report = await runDoctor(
        workspaceDoctorInputs(await Workspace.load(dir), { cubes: async () => [] }),
      );
      return report.checks.find((c) => c.id === 4)!;
    };
    const before = await gaps();
    expect(before.ok).toBe(false);
    expect(before.gaps.join('\n')).toMatch(/user dua-reader \(users\.yaml\).*data_use_agreement/);
    const file = join(dir, 'analyst.yaml');
    const config = parse(readFileSync(file, 'utf8')) as { compliance?: Record<string, unknown> };
    config.compliance = { ...config.compliance, data_use_agreement: 'DUA-2026-004' };
    writeFileSync(file, stringify(config));
    const after = await gaps();
    expect(after.gaps).toEqual([]);
    expect(after.evidence.join('\n')).toMatch(/dua-reader.*DUA-2026-004/);
  }, 60_000);
});
