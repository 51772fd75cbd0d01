// Builds the web app's bundles into web/dist with esbuild (from the npm registry, run at install
// time): the app, the embed page and the host-page script. Vega, Vega-Lite and vega-embed are
// bundled in, so the server serves every byte itself and nothing is fetched at runtime.
// Run by `npm install` (postinstall) and `npm run build:web`; tests call buildWeb() first.
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundle web/src into web/dist; returns the files written. */
export async function buildWeb({ outDir = join(root, 'web', 'dist') } = {}) {
  const src = join(root, 'web', 'src');
  // In a Docker build's dependency layer the sources are not copied yet: nothing to build.
  if (!existsSync(src)) return [];
  const { build } = await import('esbuild');
  const entries = [
    { in: 'app/main.ts', out: 'app.js', format: 'esm' },
    { in: 'embed/main.ts', out: 'embed.js', format: 'esm' },
    { in: 'host/analyst-embed.ts', out: 'analyst-embed.js', format: 'iife' },
  ];
  await mkdir(outDir, { recursive: true });
  const written = [];
  for (const e of entries) {
    const result = await build({
      entryPoints: [join(src, e.in)],
      bundle: true,
      minify: true,
      format: e.format,
      target: 'es2022',
      platform: 'browser',
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
    });
    const file = join(outDir, e.out);
    // Written beside, then renamed: concurrent builds (parallel test files) never see half a file.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, result.outputFiles[0].contents);
    await rename(tmp, file);
    written.push(file);
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const files = await buildWeb();
  process.stdout.write(
    files.length ? `web: built ${files.length} bundles in web/dist\n` : 'web: no sources, skipped\n',
  );
}
