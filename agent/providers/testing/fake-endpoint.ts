import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake endpoint received it. */
export interface RecordedRequest {
  method: string;
  /** The Host header: the host the client believed it was talking to. */
  host: string;
  /** Path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the fake model says next. */
export type ScriptedReply =
  | { text: string }
  | { toolCall: { name: string; args: Record<string, unknown> } }
  | { error: number; message: string };

/** A provider's wire protocol: how it answers one request, given the next scripted reply. */
export type WireResponder = (
  req: RecordedRequest,
  next: () => ScriptedReply,
) => { status: number; headers?: Record<string, string>; body: string };

/** A fake model endpoint on 127.0.0.1 speaking one provider's wire protocol, recording every request. */
export interface FakeEndpoint {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replies served in order; an empty script answers 500. */
  readonly script: ScriptedReply[];
  close(): Promise<void>;
}

/**
 * Start a fake endpoint.
 *
 * @example const fake = await startFakeEndpoint(openaiWire); fake.script.push({ text: 'hi' });
 */
export async function startFakeEndpoint(wire: WireResponder): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const script: ScriptedReply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        host: req.headers.host ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      let out: ReturnType<WireResponder>;
      try {
        out = wire(recorded, () => {
          const next = script.shift();
          if (!next) throw new Error('the fake endpoint has no scripted reply left');
          return next;
        });
      } catch (err) {
        out = { status: 500, body: JSON.stringify({ error: { message: String(err) } }) };
      }
      res.writeHead(out.status, { 'content-type': 'application/json', ...(out.headers ?? {}) });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON body, parsed. */
export function jsonBody(req: RecordedRequest): Record<string, unknown> {
  return JSON.parse(req.body) as Record<string, unknown>;
}
