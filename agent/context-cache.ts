import {
  buildLexicon,
  type Lexicon,
  type LexiconCube,
  type LexiconValues,
  type MemberEntry,
} from './interpreter/index.ts';
import type { AgentDeps, CallerContext } from './types.ts';

/** The caller's visible cubes (views aside) and their members by name, for prompts and titles. */
export interface VisibleCatalog {
  cubes: LexiconCube[];
  members: Map<string, MemberEntry>;
}

/** The caller's visible model and value index, built once per security context and kept briefly. */
export interface GatheredContext {
  catalog: VisibleCatalog;
  values: LexiconValues;
  /** The interpreter's index of the same members and values. */
  lexicon: Lexicon;
}

/**
 * Caches what `gather_context` builds, per security context (user, roles and attributes), so
 * every question does not rebuild the value index. Entries expire; a changed policy or new data
 * shows up within `ttlMs`.
 */
export class ContextCache {
  readonly #entries = new Map<string, { at: number; value: Promise<GatheredContext> }>();
  readonly #latest = new Map<string, { at: number; value: Promise<string | null> }>();

  constructor(
    private readonly deps: AgentDeps,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  get(ctx: CallerContext): Promise<GatheredContext> {
    const key = contextKey(ctx);
    const hit = this.#entries.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = (async () => {
      const [meta, values, local] = await Promise.all([
        this.deps.meta(ctx),
        this.deps.values(ctx),
        this.deps.localValues ? this.deps.localValues(ctx) : [],
      ]);
      // The local values (PHI-tagged names) go into the lexicon only, never into `values`, which
      // the model path uses for its vocabulary and prompts.
      const lexicon = buildLexicon(meta, values, local);
      const cubes = meta.filter((c) => c.type !== 'view');
      return { catalog: { cubes, members: lexicon.members }, values, lexicon };
    })();
    value.catch(() => this.#entries.delete(key));
    this.#entries.set(key, { at: Date.now(), value });
    return value;
  }

  /**
   * The latest day of a date member in the rows the caller may see, asked through the semantic
   * layer under their policies (never the lake directly), kept per security context like the
   * rest. `null` when they see no dated row, or the lookup failed.
   *
   * @example await cache.latestDate(ctx, 'visits.started_at') // '2023-05-20'
   */
  latestDate(ctx: CallerContext, member: string): Promise<string | null> {
    const key = JSON.stringify([contextKey(ctx), member]);
    const hit = this.#latest.get(key);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.deps
      .runSemantic(
        { dimensions: [member], filters: [{ member, operator: 'set' }], order: [[member, 'desc']], limit: 1 },
        ctx,
      )
      .then((r) => {
        const v = r.rows[0]?.[0];
        const day = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : '';
        return /^\d{4}-\d{2}-\d{2}/.test(day) ? day.slice(0, 10) : null;
      })
      .catch(() => null);
    this.#latest.set(key, { at: Date.now(), value });
    return value;
  }

  clear(): void {
    this.#entries.clear();
    this.#latest.clear();
  }
}

function contextKey(ctx: CallerContext): string {
  return JSON.stringify([ctx.userId, [...ctx.roles].sort(), ctx.attributes]);
}
