import { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { arrowFromColumns } from '../sdk/arrow-build.ts';
import { defineConnector, secret } from '../sdk/define.ts';
import type { ConnectorContext, ReadMessage, StreamColumn, StreamDef } from '../sdk/types.ts';
import { getJson, nextLink, type RetryPolicy } from './http.ts';

const pagination = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('cursor'),
      /** Dotted path of the next-page cursor in the response body. */
      cursor_path: z.string().default('next_cursor'),
      param: z.string().default('cursor'),
    })
    .strict(),
  z
    .object({
      type: z.literal('offset'),
      offset_param: z.string().default('offset'),
      limit_param: z.string().default('limit'),
      limit: z.number().int().positive().default(100),
    })
    .strict(),
  z.object({ type: z.literal('link') }).strict(),
]);

const streamSpec = z
  .object({
    path: z.string().min(1),
    /** Dotted path of the record array in the body ('' when the body is the array). */
    records: z.string().default('data'),
    pagination: pagination.default({ type: 'none' }),
    primary_key: z.array(z.string()).default([]),
    cursor_field: z.string().optional(),
    /** Query parameter that asks the server for records after a cursor value (incremental). */
    cursor_param: z.string().optional(),
    /** Declared columns (name → DuckDB type); otherwise inferred from the first page. */
    columns: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const restSpec = z
  .object({
    base_url: z.string().url(),
    streams: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), streamSpec),
    auth: z
      .object({
        header: z.string().default('Authorization'),
        prefix: z.string().default('Bearer '),
        value: secret('the API token'),
      })
      .strict()
      .optional(),
    max_retries: z.number().int().min(0).max(10).default(5),
    backoff_ms: z.number().int().min(1).default(250),
    timeout_ms: z.number().int().positive().default(30_000),
  })
  .strict();

export type RestOptions = z.infer<typeof restSpec>;
type RestStream = z.infer<typeof streamSpec>;

/**
 * A paginated JSON HTTP API (cursor, offset or Link-header pagination). The auth header's value is
 * a secret; 429 and 5xx answers are retried with backoff. Requests go only to `base_url`'s origin.
 */
export const restConnector = defineConnector<RestOptions>({
  type: 'rest',
  description: 'a paginated JSON HTTP API (cursor, offset or Link header)',
  spec: restSpec,
  async check(options, ctx) {
    try {
      const [name, s] = Object.entries(options.streams)[0] ?? [];
      if (!name || !s) return { reason: 'rest: no streams configured.' };
      await getJson(urlFor(options, s.path, firstPageParams(s)), headers(options), policy(options), ctx.log);
      return true;
    } catch (err) {
      return { reason: (err as Error).message };
    }
  },
  async discover(options, ctx) {
    const out: StreamDef[] = [];
    for (const [name, s] of Object.entries(options.streams)) {
      let columns: StreamColumn[];
      if (s.columns) columns = Object.entries(s.columns).map(([n, type]) => ({ name: n, type }));
      else {
        const { body } = await getJson(
          urlFor(options, s.path, firstPageParams(s)),
          headers(options),
          policy(options),
          ctx.log,
        );
        columns = inferColumns(recordsOf(body, s.records));
        if (columns.length === 0) {
          throw new ConnectorError(
            'CONNECTOR_CONFIG_INVALID',
            `rest: stream ${name} returned no records to learn its columns from; declare them under streams.${name}.columns.`,
          );
        }
      }
      out.push({ name, columns, primaryKey: s.primary_key, cursorField: s.cursor_field });
    }
    return out;
  },
  async *read(options, stream, state, ctx): AsyncGenerator<ReadMessage> {
    const s = options.streams[stream.name];
    if (!s) throw new ConnectorError('STREAM_NOT_FOUND', `rest: no stream ${stream.name}.`);
    yield* readPages(options, s, stream, state?.cursor as string | number | undefined, ctx);
  },
});

async function* readPages(
  options: RestOptions,
  s: RestStream,
  stream: StreamDef,
  after: string | number | undefined,
  ctx: ConnectorContext,
): AsyncGenerator<ReadMessage> {
  const names = stream.columns.map((c) => c.name);
  const cf = stream.cursorField;
  let max = after;
  const base: Record<string, string> = {};
  if (after !== undefined && s.cursor_param) base[s.cursor_param] = String(after);
  let url: string | undefined = urlFor(options, s.path, { ...base, ...firstPageParams(s) });
  let offset = 0;
  while (url) {
    const { body, headers: h } = await getJson(url, headers(options), policy(options), ctx.log);
    const records = recordsOf(body, s.records);
    // Servers that ignore the cursor parameter still must not give us rows twice.
    const fresh = cf && after !== undefined ? records.filter((r) => compare(r[cf], after) > 0) : records;
    if (fresh.length > 0) {
      const cols = names.map((n) => fresh.map((r) => r[n] ?? null));
      yield { type: 'batch', batch: { kind: 'arrow', table: arrowFromColumns(names, cols), source: url } };
      if (cf)
        for (const r of fresh)
          if (r[cf] !== null && r[cf] !== undefined && (max === undefined || compare(r[cf], max) > 0))
            max = r[cf] as string | number;
    }
    offset += records.length;
    url = nextPage(options, s, body, h, records.length, offset, base);
  }
  yield { type: 'state', state: max === undefined ? {} : { cursor: max } };
}

function nextPage(
  options: RestOptions,
  s: RestStream,
  body: unknown,
  h: Headers,
  got: number,
  offset: number,
  base: Record<string, string>,
): string | undefined {
  const p = s.pagination;
  if (p.type === 'none') return undefined;
  if (p.type === 'offset') {
    return got < p.limit
      ? undefined
      : urlFor(options, s.path, {
          ...base,
          [p.offset_param]: String(offset),
          [p.limit_param]: String(p.limit),
        });
  }
  if (p.type === 'cursor') {
    const next = at(body, p.cursor_path);
    return next === null || next === undefined || next === ''
      ? undefined
      : urlFor(options, s.path, { ...base, [p.param]: String(next) });
  }
  const link = nextLink(h.get('link'));
  if (!link) return undefined;
  const target = new URL(link, options.base_url);
  // Never follow a Link header to another origin: the token must not leave the configured endpoint.
  if (target.origin !== new URL(options.base_url).origin) {
    throw new ConnectorError(
      'CONNECTOR_READ_FAILED',
      `rest: the next-page link points at another origin (${target.origin}); refused.`,
    );
  }
  return target.toString();
}

function firstPageParams(s: RestStream): Record<string, string> {
  const p = s.pagination;
  return p.type === 'offset' ? { [p.offset_param]: '0', [p.limit_param]: String(p.limit) } : {};
}

function urlFor(options: RestOptions, path: string, params: Record<string, string>): string {
  const u = new URL(
    path.replace(/^\//, ''),
    options.base_url.endsWith('/') ? options.base_url : `${options.base_url}/`,
  );
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

function headers(options: RestOptions): Record<string, string> {
  return options.auth ? { [options.auth.header]: `${options.auth.prefix}${options.auth.value}` } : {};
}

function policy(o: RestOptions): RetryPolicy {
  return { maxRetries: o.max_retries, backoffMs: o.backoff_ms, timeoutMs: o.timeout_ms };
}

function at(body: unknown, path: string): unknown {
  if (!path) return body;
  let cur: unknown = body;
  for (const key of path.split('.'))
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}

function recordsOf(body: unknown, path: string): Array<Record<string, unknown>> {
  const v = at(body, path);
  if (!Array.isArray(v))
    throw new ConnectorError(
      'CONNECTOR_READ_FAILED',
      `rest: no record array at "${path || '(body)'}" in the response.`,
    );
  return v as Array<Record<string, unknown>>;
}

function inferColumns(records: Array<Record<string, unknown>>): StreamColumn[] {
  const types = new Map<string, Set<string>>();
  for (const r of records) {
    for (const [k, v] of Object.entries(r)) {
      const set = types.get(k) ?? new Set<string>();
      if (v !== null && v !== undefined)
        set.add(typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : typeof v);
      types.set(k, set);
    }
  }
  return [...types].map(([name, t]) => ({
    name,
    type:
      t.size === 1 && t.has('int')
        ? 'BIGINT'
        : [...t].every((x) => x === 'int' || x === 'float') && t.size > 0
          ? 'DOUBLE'
          : t.size === 1 && t.has('boolean')
            ? 'BOOLEAN'
            : 'VARCHAR',
  }));
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}
