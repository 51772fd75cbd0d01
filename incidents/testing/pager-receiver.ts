// A pager stand-in for tests: a real HTTP server on 127.0.0.1 that records JSON posts and answers
// with the statuses it is told to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receiver {
  url: string;
  posts: { path: string; body: Record<string, unknown> }[];
  /** Statuses for the next posts (then 200). */
  failNext: number[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const posts: Receiver['posts'] = [];
  const failNext: number[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => {
      text += c.toString('utf8');
    });
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      res.statusCode = failNext.shift() ?? 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook/secret-token`,
    posts,
    failNext,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
