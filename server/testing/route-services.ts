// Services for route tests: a real Authenticator (dev keys), a real DashboardStore and real
// EmbedTokens in a temp workspace, and a semantic layer stand-in that answers every query with
// rows naming the caller (so a test sees whose policies a query ran under) and records queries.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardStore } from '../../dashboards/index.ts';
import { serverConfigSchema } from '../../workspace/index.ts';
import { createApp } from '../app.ts';
import { ApiKeyStore } from '../auth/api-keys.ts';
import { Authenticator } from '../auth/authenticator.ts';
import { devSigningKey, issueDevToken } from '../auth/dev-keys.ts';
import { EmbedTokens } from '../auth/embed-tokens.ts';
import type { AuditEvent, ServerServices } from '../services.ts';

export const DASHBOARD_YAML = `# A test dashboard.
title: Ops
filters:
  - id: period
    type: date_range
    label: Period
    member: encounters.start
  - id: payer
    type: select
    label: Payer
    member: payers.name
tiles:
  - id: visits
    title: Visits by class
    query:
      measures: [encounters.count]
      dimensions: [encounters.encounterclass]
    chart: bar
    position: { x: 0, y: 0, w: 6, h: 4 }
    drill:
      dimensions: [encounters.id, encounters.patient]
  - id: total
    title: Total
    query:
      measures: [encounters.count]
    chart: number
    position: { x: 6, y: 0, w: 3, h: 2 }
`;

export interface RouteFixture {
  app: ReturnType<typeof createApp>;
  dir: string;
  audits: AuditEvent[];
  queries: Array<{
    query: Record<string, unknown>;
    ctx: { userId: string; roles: string[]; attributes: Record<string, unknown> };
  }>;
  tokens: EmbedTokens;
  apiKeys: ApiKeyStore;
  /** Move the embed tokens' clock (ms). */
  advance(ms: number): void;
  devToken(user: { id: string; roles: string[]; attributes?: Record<string, unknown> }): Promise<string>;
  remove(): void;
}

/**
 * A createApp() over the services above, in a fresh temp workspace with dashboards/ops.yaml.
 * `everything` adds stand-ins for every optional service (audit search and export, compliance,
 * connectors, break-glass), so every route the server has is mounted.
 */
export async function routeFixture(
  options: {
    devSignIn?: boolean;
    everything?: boolean;
    /** Roles granted on top of a token's (break-glass), as the authenticator asks for them. */
    grantedRoles?: (userId: string) => Promise<string[]>;
    /** Replace or add services. */
    services?: Partial<ServerServices>;
  } = {},
): Promise<RouteFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'route-fixture-'));
  mkdirSync(join(dir, 'keys'));
  mkdirSync(join(dir, 'dashboards'));
  writeFileSync(join(dir, 'dashboards', 'ops.yaml'), DASHBOARD_YAML);
  writeFileSync(join(dir, 'dashboards', 'other.yaml'), DASHBOARD_YAML.replace('title: Ops', 'title: Other'));
  let offset = 0;
  const tokens = await EmbedTokens.open(join(dir, 'keys'), { now: () => Date.now() + offset });
  const config = serverConfigSchema.parse({});
  const apiKeys = new ApiKeyStore(join(dir, 'api-keys.json'));
  const authenticator = new Authenticator({
    config: config.auth,
    apiKeys,
    devPublicKey: (await devSigningKey(join(dir, 'keys'))).publicKey,
    ...(options.grantedRoles ? { grantedRoles: options.grantedRoles } : {}),
  });
  const audits: AuditEvent[] = [];
  const queries: RouteFixture['queries'] = [];
  const services: ServerServices = {
    config,
    authenticator,
    async *ask() {},
    conversation: async (id) => ({ id, turns: [] }),
    governedSql: async () => ({ columns: [], rows: [], truncated: false, sqlExecuted: '' }),
    cube: {
      load: async (query, ctx) => {
        const q = query as { measures?: string[]; dimensions?: string[] };
        queries.push({ query: q as Record<string, unknown>, ctx });
        const who = `${ctx.userId}|${String(ctx.attributes.organization_id ?? 'all')}`;
        const row = Object.fromEntries([
          ...(q.dimensions ?? []).map((d) => [d, `${d}:${who}`]),
          ...(q.measures ?? []).map((m) => [m, 42]),
        ]);
        return { data: [row], annotation: { measures: {}, dimensions: {}, timeDimensions: {} } };
      },
      sql: async () => ({}),
      meta: async () => ({ cubes: [] }),
    },
    audit: async (e) => {
      audits.push(e);
      return 'audit-id';
    },
    readiness: async () => ({}),
    dashboards: new DashboardStore(join(dir, 'dashboards')),
    embedTokens: tokens,
    ...(options.devSignIn
      ? {
          devSignIn: {
            users: async () => [{ id: 'analyst', roles: ['analyst'] }],
            issue: async (id: string) => ({
              token: await issueDevToken(join(dir, 'keys'), { id, roles: ['analyst'], attributes: {} }, 1),
              expiresInHours: 1,
            }),
          },
        }
      : {}),
    ...(options.everything ? everyOptionalService() : {}),
    ...options.services,
  };
  return {
    app: createApp(services),
    dir,
    audits,
    queries,
    tokens,
    apiKeys,
    advance: (ms) => {
      offset += ms;
    },
    devToken: (u) => issueDevToken(join(dir, 'keys'), { attributes: {}, ...u }, 1),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Stand-ins for the optional services, answering empty. */
function everyOptionalService(): Partial<ServerServices> {
  return {
    auditSearch: async () => ({ records: [], next: null }),
    async *auditExport() {},
    compliance: async () => ({ ok: true, checks: [], residency: [] }),
    connectors: {
      list: async () => ({ connectors: [], types: [] }),
      check: async () => [],
      sync: async () => [],
      history: async () => [],
    },
    breakGlass: {
      grant: async (r) => ({
        grantId: 'g1',
        userId: r.userId,
        roles: r.roles ?? ['break-glass'],
        grantedAt: new Date(0).toISOString(),
        expiresAt: new Date(r.minutes * 60_000).toISOString(),
        auditId: 'audit-id',
      }),
      active: async () => [],
    },
  };
}
