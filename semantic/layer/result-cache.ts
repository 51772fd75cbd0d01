import { createHash } from 'node:crypto';

/** What the cache holds per entry: the rows DuckDB returned for one compiled statement. */
export interface CachedRows {
  rows: unknown[][];
}

/** How `ResultCache` is bounded. */
export interface ResultCacheOptions {
  /** Upper bound on the estimated size of all entries, in bytes; least recently used go first. */
  maxBytes: number;
  /**
   * How long an entry lives, in milliseconds: the shortest retention that applies to query results
   * (see `resultCacheTtlMs`). An expired entry is never served and is dropped by a sweep.
   */
  ttlMs: number;
  /** The clock (tests move it). */
  now?: () => number;
  /** How often expired entries are swept out of memory (default: min(ttlMs, 60 s)). */
  sweepEveryMs?: number;
}

interface Entry {
  value: CachedRows;
  bytes: number;
  expiresAt: number;
}

/** Counters for status pages and benchmarks. */
export interface ResultCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
  expirations: number;
}

/**
 * An in-memory cache of query results, keyed by `resultCacheKey` (the compiled SQL with its
 * policies, its parameters and the lake snapshot it read), bounded by an estimate of its size in
 * bytes, and with every entry expiring after `ttlMs`. It never spills to disk: results are PHI and
 * live only in this process's memory, for at most the retention that applies to them.
 *
 * Two callers share an entry only when their compiled SQL and parameters are identical, so a
 * different row policy, masking or column set is a different entry by construction; and a new
 * snapshot (a sync commit) is a different key, so a cached answer never outlives the data it read.
 *
 * @example
 * const cache = new ResultCache({ maxBytes: 64 << 20, ttlMs: 3_600_000 });
 * const key = resultCacheKey(sql, params, snapshot);
 * const rows = cache.get(key) ?? (await run());
 */
export class ResultCache {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #bytes = 0;
  #stats = { hits: 0, misses: 0, evictions: 0, expirations: 0 };

  constructor(readonly options: ResultCacheOptions) {
    this.#now = options.now ?? Date.now;
    const every = options.sweepEveryMs ?? Math.max(1000, Math.min(options.ttlMs, 60_000));
    this.#timer = setInterval(() => this.sweep(), every);
    this.#timer.unref();
  }

  /** The entry for `key`, if present and not expired (it becomes the most recently used). */
  get(key: string): CachedRows | undefined {
    const e = this.#entries.get(key);
    if (!e) {
      this.#stats.misses++;
      return undefined;
    }
    if (e.expiresAt <= this.#now()) {
      this.#drop(key, e);
      this.#stats.expirations++;
      this.#stats.misses++;
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, e);
    this.#stats.hits++;
    return e.value;
  }

  /** Store `value`; an entry larger than the whole bound is not stored. Returns whether it was. */
  set(key: string, value: CachedRows): boolean {
    const bytes = estimateBytes(value.rows) + key.length * 2;
    const old = this.#entries.get(key);
    if (old) this.#drop(key, old);
    if (bytes > this.options.maxBytes || this.options.ttlMs <= 0) return false;
    this.sweep();
    for (const [k, e] of this.#entries) {
      if (this.#bytes + bytes <= this.options.maxBytes) break;
      this.#drop(k, e);
      this.#stats.evictions++;
    }
    this.#entries.set(key, { value, bytes, expiresAt: this.#now() + this.options.ttlMs });
    this.#bytes += bytes;
    return true;
  }

  /** Drop every expired entry now (also runs on a timer and before each `set`). */
  sweep(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) {
      if (e.expiresAt > now) continue;
      this.#drop(k, e);
      this.#stats.expirations++;
    }
  }

  /** Drop everything (a key rotation, an erasure request, shutdown). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): ResultCacheStats {
    return { entries: this.#entries.size, bytes: this.#bytes, ...this.#stats };
  }

  /** Stop the sweep timer and drop every entry. */
  close(): void {
    clearInterval(this.#timer);
    this.clear();
  }

  #drop(key: string, e: Entry): void {
    this.#entries.delete(key);
    this.#bytes -= e.bytes;
  }
}

/**
 * The cache key of one statement: a SHA-256 over the lake snapshot id, the compiled SQL (policies
 * included, as the SQL text) and its bound parameters, each length-prefixed so no two different
 * triples can collide by concatenation.
 */
export function resultCacheKey(sql: string, params: readonly unknown[], snapshot: number | string): string {
  const h = createHash('sha256');
  for (const part of [String(snapshot), sql, stableParams(params)]) {
    h.update(`${part.length}:`);
    h.update(part);
  }
  return h.digest('hex');
}

function stableParams(params: readonly unknown[]): string {
  return JSON.stringify(params, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `bigint:${v}`;
    if (v instanceof Date) return `date:${v.toISOString()}`;
    return v;
  });
}

/**
 * The TTL for cached results, in milliseconds: the configured `ttl_seconds`, cut to the shortest
 * retention that applies to results elsewhere in the workspace (conversation state, audit bodies),
 * so no PHI lives longer in the cache than in the places it is allowed to be kept.
 */
export function resultCacheTtlMs(ttlSeconds: number, retentionDays: readonly number[]): number {
  const days = retentionDays.filter((d) => Number.isFinite(d) && d >= 0);
  const retentionMs = days.length ? Math.min(...days) * 86_400_000 : Number.POSITIVE_INFINITY;
  return Math.min(ttlSeconds * 1000, retentionMs);
}

/** A rough size of rows in memory: 16 bytes per cell plus the payload of strings and objects. */
function estimateBytes(rows: readonly unknown[][]): number {
  let n = 64;
  for (const row of rows) {
    n += 32;
    for (const v of row) {
      n += 16;
      if (typeof v === 'string') n += v.length * 2;
      else if (typeof v === 'bigint') n += 16;
      else if (v !== null && typeof v === 'object') n += JSON.stringify(v, jsonSafe)?.length ?? 0;
    }
  }
  return n;
}

function jsonSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? String(v) : v;
}
