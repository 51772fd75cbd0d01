import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { createArea } from '../area.ts';
import type { ServerEnv } from '../context.ts';
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

const redirect = (path: string, status: 301 | 302, summary: string) =>
  createRoute({
    method: 'get',
    path,
    tags: ['web'],
    summary,
    responses: {
      [status]: { description: 'To the web app', headers: z.object({ Location: z.string() }) },
    },
  });
const file = (path: string, summary: string, types: string[]) =>
  createRoute({
    method: 'get',
    path,
    tags: ['web'],
    summary,
    request: path.includes('{file}')
      ? { params: z.object({ file: z.string().openapi({ example: 'app.js' }) }) }
      : {},
    responses: {
      200: {
        description: 'The file (no CDN: everything the app loads comes from this server)',
        content: Object.fromEntries(types.map((t) => [t, { schema: z.string() }])),
      },
    },
  });

/**
 * Serves the single-page app at `/app/` and the host-page embed script at `/embed.js`, from this
 * server only (no CDN, nothing fetched at runtime: the app works air-gapped). Files are read
 * once and kept in memory; only names from a fixed pattern are served, so no path can escape.
 * Public: the app signs in through /v1/auth/*; its data routes are guarded.
 */
export function webArea(options: { webDir?: string } = {}): OpenAPIHono<ServerEnv> {
  const app = createArea();
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

  app.openapi(redirect('/', 302, 'Redirects to the web app'), (c) => c.redirect('/app/', 302));
  app.openapi(redirect('/app', 301, 'Redirects to the web app'), (c) => c.redirect('/app/', 301));
  app.openapi(file('/app/', 'The web app', ['text/html']), () => send('index.html', 0) as never);
  app.openapi(file('/app/{file}', 'A file of the web app', Object.values(TYPES)), (c) => {
    const name = c.req.param('file') ?? '';
    if (!FILE.test(name)) throw new ServerError('NOT_FOUND', 'No such file.');
    return send(name, 300) as never;
  });
  app.openapi(
    file('/embed.js', 'The script a host page includes to embed a dashboard', ['text/javascript']),
    () => send('analyst-embed.js', 300) as never,
  );
  return app;
}
