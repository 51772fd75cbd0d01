import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AgentAuditEntry,
  Analyst,
  type CallerContext,
  ConversationStore,
  type CoveredChatModel,
  type KnownIdentifier,
  semanticAgentDeps,
  type ValueIndex,
  valueIndex,
} from '../agent/index.ts';
import { syncConnector, syntheaConnector } from '../connectors/index.ts';
import { quoteIdent, quoteLiteral } from '../core/index.ts';
import { Gate } from '../gate/index.ts';
import { generateKey, Lakehouse, staticKeyProvider } from '../lakehouse/index.ts';
import { type MetaCube, type SecurityContext, SemanticLayer } from '../semantic/index.ts';
import type { EvalEnvironmentSpec, ValueSpec } from './case-schema.ts';
import { EvalSuiteError } from './errors.ts';

/** Where the eval data comes from and which model answers over it. */
export interface EvalEnvironmentOptions {
  /** A folder of Synthea-layout CSV files (the fixture, or demo data). Only read. */
  dataDir: string;
  /** The semantic model folder (Cube YAML). */
  modelDir: string;
  spec: EvalEnvironmentSpec;
  /** A covered model endpoint to plan with; without one the offline interpreter answers. */
  model?: CoveredChatModel | undefined;
}

const IDENTIFIER_KIND: Record<string, 'NAME' | 'SSN' | 'ID'> = { name: 'NAME', ssn: 'SSN' };

/**
 * A throwaway world to run the suites in: an encrypted lake in a temp folder loaded from CSV files,
 * with canary and injection rows planted, the semantic layer and SQL gate over it, and the analyst
 * (offline interpreter) — all on one fixed clock so "last year" means the same thing every run.
 * Nothing here touches a workspace's own lake.
 *
 * @example
 * const env = await EvalEnvironment.create({ dataDir, modelDir, spec });
 * try { await env.analyst.run('how many patients?', env.user('analyst')); } finally { await env.close(); }
 */
export class EvalEnvironment {
  private identifiersCache: KnownIdentifier[] | undefined;
  private readonly valueCache = new Map<string, Promise<ValueIndex>>();

  private constructor(
    readonly dir: string,
    readonly lake: Lakehouse,
    readonly semantic: SemanticLayer,
    readonly gate: Gate<SecurityContext>,
    readonly analyst: Analyst,
    private readonly conversations: ConversationStore,
    readonly now: Date,
    private readonly users: Map<string, CallerContext>,
    /** Planted values that must never reach a restricted endpoint. */
    readonly canaries: readonly string[],
    /** Planted instructions hidden in data values. */
    readonly injections: readonly string[],
    /** Conversation id → the prompts actually sent to the model endpoint (from the audit hook). */
    private readonly sent: ReadonlyMap<string, string[]>,
    /** The endpoint's phi level when a model answers; undefined offline. */
    readonly modelPhi: 'none' | 'deidentified' | 'allowed' | undefined,
  ) {}

  static async create(options: EvalEnvironmentOptions): Promise<EvalEnvironment> {
    const dataDir = resolve(options.dataDir);
    const files = (await readdir(dataDir).catch(() => [] as string[]))
      .filter((f) => f.endsWith('.csv'))
      .sort();
    if (!files.length) throw new EvalSuiteError('DATA_MISSING', `No CSV files in ${dataDir}.`);
    const dir = await mkdtemp(join(tmpdir(), 'analyst-evals-'));
    const lake = await Lakehouse.open({
      catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
      dataPath: join(dir, 'data'),
      key: staticKeyProvider(generateKey()),
      create: true,
      readConnections: 2,
      sandbox: { readDirectories: [dataDir] },
    });
    let conversations: ConversationStore | undefined;
    try {
      await loadSynthea(lake, dataDir);
      const value = async (spec: ValueSpec): Promise<unknown> => {
        if (spec === null || typeof spec !== 'object') return spec;
        const r = await lake.query(spec.sql);
        return r.rows[0]?.[0] ?? null;
      };
      const nowValue = await value(options.spec.now);
      const now = new Date(`${String(nowValue).slice(0, 10)}T12:00:00Z`);
      if (Number.isNaN(now.getTime()))
        throw new EvalSuiteError('SUITE_INVALID', 'environment.yaml: now is not a date.');

      const users = new Map<string, CallerContext>();
      for (const u of options.spec.users) {
        const attributes: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(u.attributes)) attributes[k] = await value(v);
        users.set(u.id, { userId: u.id, roles: u.roles, attributes });
      }

      const canaries: string[] = [];
      const injections: string[] = [];
      for (const [i, p] of options.spec.plant.entries()) {
        const cols: string[] = [];
        for (const [col, spec] of Object.entries(p.row)) {
          // Computed values are read first: the writer's connection does not resolve lake table names.
          const v = await value(spec);
          const expr = v === null ? 'NULL' : typeof v === 'number' ? String(v) : quoteLiteral(String(v));
          cols.push(`${expr} AS ${quoteIdent(col)}`);
        }
        await lake.append(p.table, `SELECT ${cols.join(', ')}`, {
          author: 'evals',
          message: `plant ${p.purpose} row ${i + 1}`,
        });
        for (const col of p.watch) {
          const v = p.row[col];
          if (typeof v !== 'string') continue;
          (p.purpose === 'canary' ? canaries : injections).push(v);
        }
      }

      const semantic = await SemanticLayer.load({ modelDir: options.modelDir, lake, now: () => now });
      const gate = await Gate.create<SecurityContext>({
        lake,
        relations: (ctx) =>
          [...semantic.governedRelations(ctx)].map(([name, r]) => ({
            name,
            sql: r.sql,
            rowsFiltered: r.rowsFiltered,
          })),
      });
      conversations = ConversationStore.open({
        path: join(dir, 'conversations.db'),
        workspaceKey: generateKey(),
      });
      // The audit hook sees every prompt the graph sent to the endpoint: PHI egress is checked on those.
      const sent = new Map<string, string[]>();
      const audit = async (entry: AgentAuditEntry) => {
        if (entry.prompt)
          sent.set(entry.conversationId, [...(sent.get(entry.conversationId) ?? []), entry.prompt]);
        return `eval-audit-${entry.conversationId}`;
      };
      const analyst = Analyst.create({
        deps: semanticAgentDeps({ semantic, gate, now: () => now, audit }),
        store: conversations,
        model: options.model,
        // A failing endpoint must fail its cases, not be covered for by the offline interpreter.
        fallbackToOffline: false,
      });
      return new EvalEnvironment(
        dir,
        lake,
        semantic,
        gate,
        analyst,
        conversations,
        now,
        users,
        canaries,
        injections,
        sent,
        options.model?.info.phi,
      );
    } catch (err) {
      conversations?.close();
      await lake.close();
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** What was actually sent to the model endpoint in a conversation (nothing offline). */
  sentPrompts(conversationId: string): string[] {
    return this.sent.get(conversationId) ?? [];
  }

  /** The identity a case runs as. */
  user(id: string): CallerContext {
    const u = this.users.get(id);
    if (!u) {
      throw new EvalSuiteError(
        'UNKNOWN_USER',
        `No eval user "${id}". Users: ${[...this.users.keys()].join(', ')}.`,
      );
    }
    return u;
  }

  /** The caller's visible cubes (members, titles, synonyms; no data values). */
  meta(ctx: CallerContext): MetaCube[] {
    return this.semantic.meta(ctx).cubes.filter((c) => c.isVisible !== false);
  }

  /** The caller's value index, as the agent builds it (row policy applied). */
  values(ctx: CallerContext): Promise<ValueIndex> {
    const key = JSON.stringify(ctx);
    let v = this.valueCache.get(key);
    if (!v) {
      v = valueIndex(this.semantic, this.gate, ctx);
      this.valueCache.set(key, v);
    }
    return v;
  }

  /**
   * Every direct identifier in the lake (names, SSNs, licence and passport numbers, addresses) as
   * the PHI boundary's known identifiers. Read as admin: redaction protects what leaves, whatever
   * the caller may see.
   */
  async identifiers(): Promise<KnownIdentifier[]> {
    if (this.identifiersCache) return this.identifiersCache;
    const admin: SecurityContext = { userId: 'evals-identifiers', roles: ['admin'], attributes: {} };
    const out: KnownIdentifier[] = [];
    for (const cube of this.meta(admin).filter((c) => c.type === 'cube')) {
      for (const d of cube.dimensions) {
        const meta = d.meta as { phi?: string; safe_harbor?: string } | undefined;
        if (meta?.phi !== 'direct' || d.type !== 'string') continue;
        const kind = IDENTIFIER_KIND[meta.safe_harbor ?? ''] ?? 'ID';
        try {
          const r = await this.semantic.load({ dimensions: [d.name], limit: 50_000 }, admin);
          for (const row of r.data) {
            const v = row[d.name];
            if (typeof v === 'string' && v.trim()) out.push({ value: v, kind });
          }
        } catch {
          // A cube whose table is missing from the data has no identifiers to know.
        }
      }
    }
    this.identifiersCache = out;
    return out;
  }

  /** Run gold SQL over the lake tables, as admin (trusted: it comes from the suite files). */
  async goldSql(sql: string): Promise<unknown[][]> {
    try {
      return (await this.lake.query(sql)).rows;
    } catch (cause) {
      throw new EvalSuiteError('GOLD_FAILED', 'A gold SQL statement failed; check the suite file.', {
        cause,
      });
    }
  }

  async close(): Promise<void> {
    this.conversations.close();
    await this.lake.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Load a Synthea CSV export into the lake the way a workspace does: the Synthea connector (typed
 * columns, PHI tags), every table a full refresh; rejected rows are skipped as in `analyst init`.
 */
async function loadSynthea(lake: Lakehouse, dataDir: string): Promise<void> {
  const runs = await syncConnector(
    { name: 'synthea', type: 'synthea', options: { path: dataDir }, mode: 'full_refresh', on_reject: 'skip' },
    {
      lake,
      connectors: new Map([['synthea', syntheaConnector]]),
      resolveSecret: (ref) => ref,
      requireSecretReferences: false,
      author: 'evals',
    },
  );
  const failed = runs.streams.filter((r) => r.status !== 'ok');
  if (!runs.streams.length || failed.length) {
    throw new EvalSuiteError(
      'DATA_MISSING',
      `Could not load the eval data from ${dataDir}: ${failed.map((f) => f.stream).join(', ') || 'no Synthea tables'}.`,
    );
  }
}
