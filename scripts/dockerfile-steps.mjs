#!/usr/bin/env node
// Run the Dockerfile's install steps here, without a container engine: the build stage's COPY and
// RUN instructions are replayed, in order, in a temporary folder that stands for the image's
// WORKDIR. A lock file that `npm ci` rejects, a postinstall that fails, or a runtime dependency
// that `npm prune --omit=dev` removes shows up in CI instead of at `docker build` time.
//
//   node scripts/dockerfile-steps.mjs            run the steps (CI)
//   node scripts/dockerfile-steps.mjs --plan     print what would run, as JSON
//   node scripts/dockerfile-steps.mjs --keep     keep the temporary folder for inspection
//
// What is not replayed, and why (printed as "skip"): RUN steps of the OS package manager
// (apt-get, apk, yum, dnf) install into the image's operating system, not the project, and need
// root; steps of the runtime stage (user creation, COPY --from) only arrange the built folder.
// After the build stage, the runtime stage's ENTRYPOINT is started with `--help` and the runtime
// stage's ENV, so a CLI that cannot load from the pruned folder fails here too.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OS_PACKAGE_MANAGERS = /^(apt-get|apt|apk|yum|dnf|microdnf)\b/;

/**
 * Split a Dockerfile into instructions: comments dropped, `\` continuations joined.
 * @param {string} text
 * @returns {{ op: string, args: string, line: number }[]}
 */
export function instructions(text) {
  const out = [];
  let buffer = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (buffer === '' && /^\s*(#|$)/.test(raw)) continue;
    if (buffer !== '' && /^\s*#/.test(raw)) continue; // comment lines inside a continuation
    if (buffer === '') start = i + 1;
    const continued = /\\\s*$/.test(raw);
    buffer += `${continued ? raw.replace(/\\\s*$/, '') : raw} `;
    if (continued && i < lines.length - 1) continue;
    const joined = buffer.replace(/\s+/g, ' ').trim();
    buffer = '';
    const m = /^(\w+)\s*(.*)$/.exec(joined);
    if (!m) throw new Error(`Dockerfile line ${start}: cannot read "${joined}"`);
    out.push({ op: m[1].toUpperCase(), args: m[2], line: start });
  }
  return out;
}

/** Words of an instruction, JSON-array form or shell form. */
function words(args) {
  if (args.startsWith('[')) return JSON.parse(args);
  return args.split(' ').filter(Boolean);
}

function shellQuote(word) {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** `A=1 B="x y"` (or legacy `A 1`) into pairs. */
function envPairs(args) {
  const pairs = {};
  const re = /(\w+)=("([^"]*)"|'([^']*)'|(\S*))/g;
  if (!args.includes('=')) {
    const [key, ...rest] = args.split(' ');
    pairs[key] = rest.join(' ');
    return pairs;
  }
  for (const m of args.matchAll(re)) pairs[m[1]] = m[3] ?? m[4] ?? m[5] ?? '';
  return pairs;
}

/**
 * The plan: the build stage's steps to replay (COPY, RUN, WORKDIR, ENV), the steps skipped with
 * the reason, and the runtime stage's entrypoint and environment for the final smoke check.
 * The build stage is the one a later `COPY --from=` names; with one stage, that stage.
 * @param {string} text the Dockerfile
 */
export function planFromDockerfile(text) {
  const stages = [];
  for (const ins of instructions(text)) {
    if (ins.op === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      stages.push({ image: m?.[1] ?? ins.args, name: m?.[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    if (stages.length === 0) {
      if (ins.op === 'ARG') continue;
      throw new Error(`Dockerfile line ${ins.line}: ${ins.op} before FROM`);
    }
    stages.at(-1).instructions.push(ins);
  }
  if (stages.length === 0) throw new Error('Dockerfile has no FROM');
  const runtime = stages.at(-1);
  const fromNames = new Set(
    runtime.instructions
      .filter((i) => i.op === 'COPY')
      .map((i) => /--from=(\S+)/.exec(i.args)?.[1])
      .filter(Boolean),
  );
  const build = stages.find((s) => fromNames.has(s.name)) ?? stages[0];

  const steps = [];
  const skipped = [];
  for (const ins of build.instructions) {
    if (ins.op === 'RUN') {
      // The exec form runs its words as they are; quoted, they mean the same to sh -c.
      const command = ins.args.startsWith('[') ? words(ins.args).map(shellQuote).join(' ') : ins.args;
      if (OS_PACKAGE_MANAGERS.test(command)) {
        skipped.push({ line: ins.line, op: 'RUN', command, reason: "the image's OS packages (needs root)" });
      } else {
        steps.push({ line: ins.line, op: 'RUN', command });
      }
    } else if (ins.op === 'COPY' || ins.op === 'ADD') {
      const parts = words(ins.args).filter((w) => !w.startsWith('--'));
      if (/--from=/.test(ins.args))
        throw new Error(`Dockerfile line ${ins.line}: COPY --from in the build stage`);
      if (parts.length < 2)
        throw new Error(`Dockerfile line ${ins.line}: ${ins.op} needs a source and a destination`);
      steps.push({ line: ins.line, op: 'COPY', sources: parts.slice(0, -1), dest: parts.at(-1) });
    } else if (ins.op === 'WORKDIR') {
      steps.push({ line: ins.line, op: 'WORKDIR', path: ins.args });
    } else if (ins.op === 'ENV') {
      steps.push({ line: ins.line, op: 'ENV', env: envPairs(ins.args) });
    }
  }
  for (const stage of stages) {
    if (stage === build) continue;
    for (const ins of stage.instructions) {
      if (ins.op === 'RUN' || ins.op === 'COPY' || ins.op === 'ADD') {
        skipped.push({
          line: ins.line,
          op: ins.op,
          command: ins.args,
          reason: `stage "${stage.name}" arranges the image`,
        });
      }
    }
  }
  const env = {};
  for (const ins of runtime.instructions) if (ins.op === 'ENV') Object.assign(env, envPairs(ins.args));
  const entry = runtime.instructions.filter((i) => i.op === 'ENTRYPOINT').at(-1);
  return {
    build: build.name,
    steps,
    skipped,
    runtime: { env, entrypoint: entry ? words(entry.args) : null },
  };
}

/** Files of the build context: what git would check out, minus `.dockerignore`. */
function contextFiles(root) {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (git.status !== 0) throw new Error(`git ls-files failed: ${git.stderr}`);
  const ignore = existsSync(join(root, '.dockerignore'))
    ? readFileSync(join(root, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/^\/+|\/+$/g, ''))
        .filter((l) => l && !l.startsWith('#'))
    : [];
  return git.stdout
    .split('\0')
    .filter(Boolean)
    .filter((f) => existsSync(join(root, f)))
    .filter((f) => !ignore.some((p) => f === p || f.startsWith(`${p}/`)));
}

function copyStep(step, root, files, target) {
  for (const source of step.sources) {
    const src = posix
      .normalize(source)
      .replace(/^\.?\/?/, '')
      .replace(/\/$/, '');
    const matched = src === '' ? files : files.filter((f) => f === src || f.startsWith(`${src}/`));
    if (matched.length === 0)
      throw new Error(`Dockerfile line ${step.line}: COPY ${source}: not in the build context`);
    const isFile = matched.length === 1 && matched[0] === src;
    for (const f of matched) {
      // Docker copies a directory's contents into the destination; a file keeps its name.
      const rel = isFile ? posix.basename(f) : src === '' ? f : f.slice(src.length + 1);
      const to = step.dest.endsWith('/') || step.sources.length > 1 || !isFile ? join(target, rel) : target;
      mkdirSync(dirname(to), { recursive: true });
      cpSync(join(root, f), to);
    }
  }
}

function run(command, cwd, env) {
  console.log(`$ ${command}`);
  const r = spawnSync('sh', ['-c', command], { cwd, env, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`"${command}" exited with ${r.status ?? r.signal}`);
}

/** Replay the plan in a temporary folder. Throws on the first failing step. */
export function replay(plan, root, { keep = false } = {}) {
  const base = mkdtempSync(join(tmpdir(), 'dockerfile-steps-'));
  // The image's absolute paths (WORKDIR /app) are mapped under the temporary folder.
  const inBase = (p) => join(base, p);
  let workdir = inBase('/');
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('npm_')) delete env[key];
  const files = contextFiles(root);
  try {
    for (const s of plan.skipped) console.log(`skip (line ${s.line}, ${s.reason}): ${s.op} ${s.command}`);
    for (const step of plan.steps) {
      if (step.op === 'WORKDIR') {
        workdir = step.path.startsWith('/') ? inBase(step.path) : join(workdir, step.path);
        mkdirSync(workdir, { recursive: true });
      } else if (step.op === 'ENV') {
        Object.assign(env, step.env);
      } else if (step.op === 'COPY') {
        console.log(`$ COPY ${step.sources.join(' ')} ${step.dest}`);
        copyStep(
          step,
          root,
          files,
          step.dest.startsWith('/') ? inBase(step.dest) : resolve(workdir, step.dest),
        );
      } else {
        run(step.command, workdir, env);
      }
    }
    if (plan.runtime.entrypoint) {
      const [cmd, ...args] = plan.runtime.entrypoint;
      const smoke = [cmd, ...args, '--help'].join(' ');
      console.log(`$ ${smoke}   (runtime stage ENV: ${JSON.stringify(plan.runtime.env)})`);
      const r = spawnSync(cmd, [...args, '--help'], {
        cwd: workdir,
        env: { ...env, ...plan.runtime.env },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`the image's entrypoint fails: ${r.stderr || r.stdout}`);
    }
  } finally {
    if (keep) console.log(`kept ${base}`);
    else rmSync(base, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const plan = planFromDockerfile(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  if (process.argv.includes('--plan')) {
    console.log(JSON.stringify(plan, null, 2));
  } else {
    const started = Date.now();
    try {
      replay(plan, root, { keep: process.argv.includes('--keep') });
      console.log(`Dockerfile install steps: ok (${Math.round((Date.now() - started) / 1000)}s)`);
    } catch (err) {
      console.error(`Dockerfile install steps: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
}
