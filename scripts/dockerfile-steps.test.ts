import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instructions, planFromDockerfile, replay } from './dockerfile-steps.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');

describe('dockerfile-steps', () => {
  it("reads the project's Dockerfile: the build stage's install steps in order, OS packages skipped", () => {
    const plan = planFromDockerfile(dockerfile);
    expect(plan.build).toBe('build');
    const ops = plan.steps.map((s) =>
      s.op === 'RUN' ? `RUN ${s.command}` : s.op === 'COPY' ? `COPY ${s.sources?.join(' ')} ${s.dest}` : s.op,
    );
    const ci = ops.findIndex((o) => o.startsWith('RUN npm ci'));
    const copyAll = ops.indexOf('COPY . .');
    const postinstall = ops.findIndex((o) => o.includes('npm run postinstall'));
    expect(ops[0]).toBe('WORKDIR');
    expect(ops.indexOf('COPY package.json package-lock.json ./')).toBeGreaterThan(0);
    expect(ops.indexOf('COPY package.json package-lock.json ./')).toBeLessThan(ci);
    expect(ci).toBeLessThan(copyAll);
    expect(copyAll).toBeLessThan(postinstall);
    expect(ops[postinstall]).toContain('npm prune --omit=dev');
    expect(plan.steps.some((s) => s.command?.includes('apt-get'))).toBe(false);
    expect(plan.skipped.map((s) => s.command)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('apt-get install'),
        expect.stringContaining('useradd'),
      ]),
    );
    expect(plan.runtime.entrypoint).toEqual(['node', 'bin/analyst.mjs']);
    expect(plan.runtime.env.NODE_ENV).toBe('production');
  });

  it('joins continuation lines, drops comments, reads JSON-form and ENV instructions', () => {
    const text = [
      '# comment',
      'FROM node:20 AS build',
      'RUN echo a \\',
      '    # a comment inside',
      '    && echo b',
      'ENV A=1 B="x y"',
      'RUN ["sh", "-c", "echo json"]',
      'FROM node:20',
      'COPY --from=build /app /app',
      'ENV LEGACY value with spaces',
      'ENTRYPOINT ["node", "main.js"]',
    ].join('\n');
    expect(instructions(text).map((i) => i.op)).toEqual([
      'FROM',
      'RUN',
      'ENV',
      'RUN',
      'FROM',
      'COPY',
      'ENV',
      'ENTRYPOINT',
    ]);
    const plan = planFromDockerfile(text);
    expect(plan.steps).toEqual([
      { line: 3, op: 'RUN', command: 'echo a && echo b' },
      { line: 6, op: 'ENV', env: { A: '1', B: 'x y' } },
      { line: 7, op: 'RUN', command: "sh -c 'echo json'" },
    ]);
    expect(plan.runtime).toEqual({ env: { LEGACY: 'value with spaces' }, entrypoint: ['node', 'main.js'] });
    expect(() => planFromDockerfile('RUN echo no stage')).toThrow(/before FROM/);
  });

  it('replays COPY and RUN in a temporary folder and stops at a failing step', () => {
    const ok = planFromDockerfile(
      [
        'FROM node:20',
        'WORKDIR /app',
        'COPY package.json ./',
        'COPY core ./core',
        'ENV MARK=copied',
        // Fails unless the files landed where Docker would put them and ENV reached the step.
        'RUN test -f package.json && test -f core/index.ts && test ! -e node_modules && test "$MARK" = copied',
      ].join('\n'),
    );
    expect(() => replay(ok, root)).not.toThrow();
    const bad = planFromDockerfile(['FROM node:20', 'WORKDIR /app', 'RUN exit 3'].join('\n'));
    expect(() => replay(bad, root)).toThrow(/exit 3" exited with 3/);
    const missing = planFromDockerfile(['FROM node:20', 'COPY no-such-dir ./x'].join('\n'));
    expect(() => replay(missing, root)).toThrow(/not in the build context/);
  });

  it('keeps host-built packages and DuckDB files out of the build context', () => {
    const ignored = readFileSync(new URL('../.dockerignore', import.meta.url), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.duckdb', '.git']));
  });
});
