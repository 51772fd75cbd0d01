// POST /v1/verified-queries and /v1/feedback through the HTTP API, over a real verified query
// folder and a real feedback store in a temp workspace: who may call them, the 400s a person can
// act on, the file written whole, the audit event before the response, and admins-only listing.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVerifiedQuery, VerifiedQueryStore } from '../../agent/index.ts';
import { FeedbackStore } from '../../app/feedback-store.ts';
import { ServerError } from '../errors.ts';
import { type RouteFixture, routeFixture } from '../testing/route-services.ts';

const dir = mkdtempSync(join(tmpdir(), 'verified-feedback-'));
let f: RouteFixture;
let feedback: FeedbackStore;
let verified: VerifiedQueryStore;
const KNOWN = new Set(['encounters.count', 'encounters.encounterclass']);

beforeAll(async () => {
  verified = new VerifiedQueryStore(join(dir, 'model'));
  feedback = FeedbackStore.open({ path: join(dir, 'state', 'feedback.db'), workspaceKey: 'w'.repeat(32) });
  f = await routeFixture({
    services: {
      verifiedQueries: {
        save: async (input) => {
          // The real service checks members under the caller's policies; here a fixed visible set.
          for (const m of input.query?.measures ?? [])
            if (!KNOWN.has(m)) throw new ServerError('BAD_REQUEST', `Unknown member ${m}.`);
          return verified.save(input);
        },
      },
      feedback: {
        add: async (input, ctx) => {
          if (!input.conversationId.startsWith(ctx.userId)) throw new ServerError('FORBIDDEN', 'Not yours.');
          return feedback.add({
            conversationId: input.conversationId,
            turnId: input.turnId ?? null,
            rating: input.rating,
            comment: input.comment ?? null,
            userId: ctx.userId,
          });
        },
        list: async (filter) => feedback.list(filter),
      },
    },
  });
});
afterAll(() => {
  feedback.close();
  f.remove();
  rmSync(dir, { recursive: true, force: true });
});

const post = (path: string, token: string, body: unknown) =>
  f.app.request(path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('POST /v1/verified-queries', () => {
  it('writes a verified query file with the caller as author, audited', async () => {
    const analyst = await f.devToken({ id: 'ana', roles: ['analyst'] });
    const res = await post('/v1/verified-queries', analyst, {
      question: 'Encounters by class',
      query: { measures: ['encounters.count'], dimensions: ['encounters.encounterclass'] },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { file: string; author: string; date: string };
    expect(body).toMatchObject({ file: 'verified_queries/encounters-class.yaml', author: 'ana' });
    expect(body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const text = readFileSync(join(dir, 'model', body.file), 'utf8');
    expect(parseVerifiedQuery(body.file, text)).toMatchObject({
      question: 'Encounters by class',
      query: { measures: ['encounters.count'] },
      author: 'ana',
    });
    // Nothing half-written is left beside it.
    expect(readdirSync(join(dir, 'model', 'verified_queries'))).toEqual(['encounters-class.yaml']);
    const event = f.audits.find((e) => e.detail?.action === 'verified_query_saved');
    expect(event).toMatchObject({ type: 'config', outcome: 'ok', identity: { userId: 'ana' } });
    expect(event?.detail?.file).toBe(body.file);

    const again = await post('/v1/verified-queries', analyst, {
      question: 'Encounters by class',
      sql: 'SELECT encounterclass, count(*) AS n FROM encounters GROUP BY 1',
    });
    expect(((await again.json()) as { file: string }).file).toBe('verified_queries/encounters-class-2.yaml');
  });

  it('refuses roles other than admin and analyst', async () => {
    const clinician = await f.devToken({ id: 'dr', roles: ['clinician'] });
    const res = await post('/v1/verified-queries', clinician, { question: 'Encounters?', sql: 'SELECT 1' });
    expect(res.status).toBe(403);
  });

  it('answers bad input with a 400 that names the field, and writes nothing', async () => {
    const admin = await f.devToken({ id: 'root', roles: ['admin'] });
    const before = readdirSync(join(dir, 'model', 'verified_queries'));
    const cases: Array<[unknown, RegExp]> = [
      [
        { question: 'Both?', sql: 'SELECT 1', query: { measures: ['encounters.count'] } },
        /exactly one of query/,
      ],
      [{ question: 'Neither?' }, /exactly one of query/],
      [{ question: 'Bad query?', query: { measures: 'encounters.count' } }, /query\.measures/],
      [{ question: 'Extra?', sql: 'SELECT 1', author: 'someone-else' }, /author|Unrecognized/],
      [{ question: 'Unknown?', query: { measures: ['encounters.nope'] } }, /Unknown member encounters\.nope/],
      ['{"question": ', /valid JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await post('/v1/verified-queries', admin, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect(readdirSync(join(dir, 'model', 'verified_queries'))).toEqual(before);
  });
});

describe('POST /v1/feedback and GET /v1/feedback', () => {
  it('stores thumbs up/down with a comment, audited; lists it for admins only', async () => {
    const ana = await f.devToken({ id: 'ana', roles: ['analyst'] });
    const res = await post('/v1/feedback', ana, {
      conversationId: 'ana-conversation-1',
      turnId: 'audit-record-1',
      rating: 'down',
      comment: 'Counted visits, I asked for patients',
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ rating: 'down', userId: 'ana', turnId: 'audit-record-1' });
    expect(
      (await post('/v1/feedback', ana, { conversationId: 'ana-conversation-1', rating: 'up' })).status,
    ).toBe(201);
    const event = f.audits.find((e) => e.detail?.action === 'feedback' && e.detail?.rating === 'down');
    expect(event).toMatchObject({ type: 'data', outcome: 'ok', identity: { userId: 'ana' } });
    expect(event?.detail?.conversationId).toBe('ana-conversation-1');

    // Stored durably: a store opened again on the same file has it, the comment decrypted.
    const reopened = FeedbackStore.open({
      path: join(dir, 'state', 'feedback.db'),
      workspaceKey: 'w'.repeat(32),
    });
    expect(reopened.list({ rating: 'down', limit: 10 })[0]?.comment).toBe(
      'Counted visits, I asked for patients',
    );
    reopened.close();
    expect(existsSync(join(dir, 'state', 'feedback.db'))).toBe(true);

    expect(
      (await f.app.request('/v1/feedback', { headers: { Authorization: `Bearer ${ana}` } })).status,
    ).toBe(403);
    const admin = await f.devToken({ id: 'root', roles: ['admin'] });
    const list = await f.app.request('/v1/feedback?rating=down', {
      headers: { Authorization: `Bearer ${admin}` },
    });
    expect(list.status).toBe(200);
    const { feedback: rows } = (await list.json()) as {
      feedback: Array<{ rating: string; comment: string }>;
    };
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rating: 'down', comment: 'Counted visits, I asked for patients' });
  });

  it('refuses feedback on someone else’s conversation and a rating that is not up or down', async () => {
    const bob = await f.devToken({ id: 'bob', roles: ['analyst'] });
    expect(
      (await post('/v1/feedback', bob, { conversationId: 'ana-conversation-1', rating: 'up' })).status,
    ).toBe(403);
    const bad = await post('/v1/feedback', bob, { conversationId: 'bob-conversation', rating: 'meh' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/rating/);
  });
});
