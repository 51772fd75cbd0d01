// The query-slot limit on a real Hono app (requests through app.request): the body is read and
// checked before a slot is taken, a stalled body gets 408, and an event stream keeps its slot
// until it has been read to the end.
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import { streamSSE } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import { createArea, guarded } from '../area.ts';
import type { SignedInEnv } from '../context.ts';
import { toClientError } from '../errors.ts';
import { FairSlots } from './fair-slots.ts';
import { QueryBudget } from './query-budget.ts';
import { querySlot } from './query-slot.ts';

function setup() {
  const slots = new FairSlots({ max: 1, maxQueuedPerKey: 4 });
  const signedIn: MiddlewareHandler<SignedInEnv> = async (c, next) => {
    c.set('identity', { userId: c.req.header('X-User') ?? 'u', roles: ['analyst'], attributes: {} } as never);
    await next();
  };
  const guard = every(
    signedIn,
    querySlot({
      slots,
      budget: new QueryBudget({ msPerMinute: 60_000 }),
      bodyTimeoutMs: 300,
      waitMs: 50,
      perIdentity: 1,
      perEmbedToken: 1,
    }),
  ) as MiddlewareHandler<SignedInEnv>;
  let finishStream = () => {};
  const streamDone = new Promise<void>((r) => {
    finishStream = r;
  });
  const app = createArea();
  app.onError((err, c) => {
    const { status, code } = toClientError(err);
    return c.json({ code }, status as 400);
  });
  const body = z.object({ sql: z.string().min(1) }).strict();
  app.openapi(
    guarded(
      guard,
      createRoute({
        method: 'post',
        path: '/run',
        request: { body: { content: { 'application/json': { schema: body } }, required: true } },
        responses: { 200: { description: 'ok' } },
      }),
    ),
    (c) => c.json({ sql: c.req.valid('json').sql, held: slots.inUse() }, 200),
  );
  app.openapi(
    guarded(
      guard,
      createRoute({ method: 'get', path: '/stream', responses: { 200: { description: 'events' } } }),
    ),
    (c) =>
      streamSSE(c, async (stream) => {
        await stream.writeSSE({ data: 'first' });
        await streamDone;
        await stream.writeSSE({ data: 'last' });
      }) as never,
  );
  const post = (text: string | ReadableStream<Uint8Array>, user = 'u') =>
    app.request('/run', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-User': user },
      body: text,
      ...(typeof text === 'string' ? {} : { duplex: 'half' }),
    } as RequestInit);
  return { app, slots, post, finishStream };
}

describe('querySlot', () => {
  it('reads and checks the body before taking a slot: a bad body is refused at once even when every slot is taken', async () => {
    const { slots, post } = setup();
    const release = await slots.acquire('user:other', { cap: 1, waitMs: 0 });
    expect((await post('{"sql": ""}')).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    // A valid body does wait for a slot, and gets 503 when none frees up in time.
    expect((await post('{"sql": "select 1"}')).status).toBe(503);
    release();
    const ok = await post('{"sql": "select 1"}');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sql: 'select 1', held: 1 });
    expect(slots.inUse()).toBe(0);
  });

  it('answers 408 and closes the connection when the body stalls, holding no slot meanwhile', async () => {
    const { slots, post } = setup();
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"sql": "sel'));
      },
    });
    const pending = post(stalled);
    expect(slots.inUse()).toBe(0);
    const res = await pending;
    expect(res.status).toBe(408);
    expect(res.headers.get('Connection')).toBe('close');
    expect(slots.inUse()).toBe(0);
  });

  it('holds the slot of an event stream until the stream has ended', async () => {
    const { app, slots, finishStream } = setup();
    const res = await app.request('/stream', { headers: { 'X-User': 'streamer' } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    expect(decoder.decode((await reader.read()).value)).toContain('first');
    expect(slots.inUse('user:streamer')).toBe(1);
    finishStream();
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decoder.decode(r.value);
    expect(rest).toContain('last');
    expect(slots.inUse()).toBe(0);
  });
});
