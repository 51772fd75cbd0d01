// Shared set-up for the browser tests: a real Synthea workspace, `analyst serve` as a child
// process, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin', 'analyst.mjs');
const FIXTURE = resolve(ROOT, '../shared/fixtures/synthea');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'web');
export const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

/** A Synthea workspace (fixture data when present, else the generated demo) in a fresh temp dir. */
export async function syntheaWorkspace(prefix: string): Promise<{ dir: string; remove: () => void }> {
  const parent = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const dir = join(parent, 'ws');
  const source = existsSync(FIXTURE) ? ['--preset', 'synthea', '--source', FIXTURE] : ['--demo'];
  await run(process.execPath, [BIN, 'init', dir, ...source], { cwd: ROOT, maxBuffer: 1 << 24 });
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** `analyst <args>` in the workspace; its stdout. */
export async function analyst(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--workspace', dir], { cwd: ROOT });
  return stdout.trim();
}

/** `analyst serve --port 0`, resolved once it prints its listening line. */
export async function serve(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--workspace', dir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ANALYST_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const url = await new Promise<string>((ok, fail) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) ok((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => fail(new Error(`analyst serve exited ${code}: ${stderr.slice(-2000)}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** Headless Chromium from Debian with the flags an offline, sandbox-less CI needs. */
export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Save a screenshot as a test artifact (test-artifacts/web/<name>.png). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Collect what would show a broken page: console errors, CSP violations, failed requests. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { errors };
}
