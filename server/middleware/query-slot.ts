import type { Context, MiddlewareHandler } from 'hono';
import { refuseInvalid } from '../area.ts';
import type { EmbedClaims } from '../auth/embed-tokens.ts';
import type { SignedInEnv } from '../context.ts';
import { ServerError } from '../errors.ts';
import { declaredBody } from './declared-body.ts';
import { type FairSlots, SlotUnavailable } from './fair-slots.ts';
import type { QueryBudget } from './query-budget.ts';

/** A signed-in caller, or an embed viewer (then `embed` names the token). */
type SlotEnv = { Variables: SignedInEnv['Variables'] & { embed?: EmbedClaims } };

export interface QuerySlotOptions {
  slots: FairSlots;
  budget: QueryBudget;
  /** The whole body must arrive within this, or 408 (and the connection is closed). */
  bodyTimeoutMs: number;
  /** How long a caller may wait for a slot before 503 BUSY. */
  waitMs: number;
  /** Slots one identity may hold at once. */
  perIdentity: number;
  /** Slots one embed token may hold at once. */
  perEmbedToken: number;
}

/**
 * The query-slot limit, after authentication, in this order: the body is read whole (within
 * `bodyTimeoutMs`) and checked against the route's declared schema; the caller's query-time
 * budget is checked (429 + Retry-After when spent); then a slot is taken from the fair queue
 * (per-identity or per-embed-token cap; a bounded wait, then 503 + Retry-After). The slot is held
 * until the response is complete (an event stream's end included) and its time is charged to the
 * caller's budget. A slow or never-finished body therefore holds no slot.
 *
 * @example const limit = querySlot({ slots, budget, bodyTimeoutMs: 10_000, waitMs: 10_000, perIdentity: 2, perEmbedToken: 2 });
 */
export function querySlot(options: QuerySlotOptions): MiddlewareHandler<SlotEnv> {
  return async function querySlotHandler(c, next) {
    await readBodyWithin(c, options.bodyTimeoutMs);
    await checkDeclaredBody(c);

    const embed = c.get('embed');
    const key = embed ? `embed:${embed.tokenId}` : `user:${c.get('identity').userId}`;
    const cap = embed ? options.perEmbedToken : options.perIdentity;
    checkBudget(c, options.budget, key);
    let release: () => void;
    try {
      release = await options.slots.acquire(key, { cap, waitMs: options.waitMs, signal: c.req.raw.signal });
    } catch (err) {
      if (!(err instanceof SlotUnavailable)) throw err;
      c.header('Retry-After', '2');
      throw new ServerError(
        'BUSY',
        'The server is answering as many queries as it may at once for you or for everyone; retry shortly.',
      );
    }
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
      options.budget.charge(key, performance.now() - started);
    };
    try {
      // Waiting may have taken long enough for this caller's earlier queries to spend the budget.
      checkBudget(c, options.budget, key);
      await next();
    } catch (err) {
      finish();
      throw err;
    }
    // An event stream (chat) keeps working after the handler returned: hold the slot until it ends.
    const body = c.res.body;
    if (body && (c.res.headers.get('Content-Type') ?? '').startsWith('text/event-stream'))
      c.res = new Response(untilDone(body, finish), c.res);
    else finish();
  };
}

async function readBodyWithin(c: Context, ms: number): Promise<void> {
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.raw.body === null) return;
  // Hono caches the text; the route's validator and handler read it from there.
  const text = c.req.text();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ServerError('BODY_TIMEOUT', `The request body did not arrive within ${ms} ms.`)),
      ms,
    );
  });
  try {
    await Promise.race([text, late]);
  } catch (err) {
    text.catch(() => {});
    // Do not keep a connection whose sender stalls mid-body.
    if ((err as { code?: string }).code === 'BODY_TIMEOUT') c.header('Connection', 'close');
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** The route's declared JSON body, checked now (400), so a bad body never waits for a slot. */
async function checkDeclaredBody(c: Context): Promise<void> {
  const schema = declaredBody(c);
  if (!schema || c.req.method === 'GET' || c.req.method === 'HEAD') return;
  // Other media types are refused (415) by the route's own gate, which holds no slot for long.
  if (!(c.req.header('Content-Type') ?? '').toLowerCase().includes('json')) return;
  let value: unknown;
  try {
    value = JSON.parse(await c.req.text());
  } catch {
    throw new ServerError('BAD_REQUEST', 'The request is malformed: is the body valid JSON?');
  }
  const result = schema.safeParse(value);
  if (!result.success) refuseInvalid(result.error.issues);
}

function checkBudget(c: Context, budget: QueryBudget, key: string): void {
  const waitMs = budget.retryAfterMs(key);
  if (waitMs === 0) return;
  const s = Math.max(1, Math.ceil(waitMs / 1000));
  c.header('Retry-After', String(s));
  throw new ServerError(
    'QUERY_BUDGET_SPENT',
    `You have used your query time for this minute; retry in ${s} s.`,
  );
}

/** `body`, calling `done` once when it ends, fails or is cancelled by the client. */
function untilDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await reader.read();
        if (r.done) {
          done();
          controller.close();
        } else controller.enqueue(r.value);
      } catch (err) {
        done();
        controller.error(err);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason);
    },
  });
}
