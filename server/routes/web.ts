import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ServerError } from '../errors.ts';

/** The web app's files: hand-written ones in web/public, bundles (with Vega) in web/dist. */
const WEB_DIR = resolve(import.meta.dirname, '../../web');
const FILE = /^[a-z0-9][a-z0-9-]*\.(js|css|svg|html)$/;
const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  html: 'text/html; charset=utf-8',
};

/**
 * Serves the single-page app at `/app/` and the host-page embed script at `/embed.js`, from this
 * server only (no CDN, nothing fetched at runtime: the app works air-gapped). Files are read
 * once and kept in memory; only names from a fixed pattern are served, so no path can escape.
 */
export function registerWeb(app: OpenAPIHono, options: { webDir?: string } = {}): void {
  const dir = options.webDir ?? WEB_DIR;
  const cache = new Map<string, Buffer>();
  const load = async (name: string): Promise<Buffer | null> => {
    const hit = cache.get(name);
    if (hit) return hit;
    for (const sub of ['public', 'dist']) {
      const body = await readFile(join(dir, sub, name)).catch(() => null);
      if (body) {
        cache.set(name, body);
        return body;
      }
    }
    return null;
  };
  const send = async (name: string, maxAge: number) => {
    const body = await load(name);
    if (!body)
      throw new ServerError(
        'NOT_FOUND',
        name.endsWith('.js') ? 'The web app is not built here: run `npm run build:web`.' : 'No such file.',
      );
    return new Response(new Uint8Array(body), {
      headers: {
        'Content-Type': TYPES[name.split('.').pop() as string] ?? 'application/octet-stream',
        'Cache-Control': maxAge ? `private, max-age=${maxAge}` : 'no-cache',
      },
    });
  };

  app.get('/', (c) => c.redirect('/app/', 302));
  app.get('/app', (c) => c.redirect('/app/', 301));
  app.get('/app/', () => send('index.html', 0));
  app.get('/app/:file', (c) => {
    const name = c.req.param('file');
    if (!FILE.test(name)) throw new ServerError('NOT_FOUND', 'No such file.');
    return send(name, 300);
  });
  app.get('/embed.js', () => send('analyst-embed.js', 300));
}
