// Load on POST /v1/chat (offline interpreter, demo data): autocannon, 16 connections, 30 s, against a
// real `analyst serve` process. Each answer carries Server-Timing (planning and SQL as timed by
// the agent, total as seen by the server), so the same run says how much of the server's time
// went outside planning and SQL: auth, limits, graph bookkeeping, conversation state, the audit
// record, serialisation. The anchor: the same questions asked of the Analyst in-process, with
// the same 16 in flight, before and after the server runs (the workspace lake has one owner).
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { parseDocument } from 'yaml';
import { contextOf, openRuntime } from '../app/index.ts';
import { Workspace } from '../workspace/index.ts';
import { ANALYST_BIN, analystCli, DEMO_QUESTIONS, demoWorkspace } from './demo-workspace.ts';
import { type Bench, percentiles } from './result.ts';

const CONNECTIONS = 16;
const DURATION_S = 30;
const ANCHOR_S = 15;
const UNLOADED_S = 8;

interface Timing {
  plan: number;
  sql: number;
  total: number;
}

function parseServerTiming(header: string | undefined): Timing | undefined {
  if (!header) return undefined;
  const dur = (name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(header)?.[1] ?? Number.NaN);
  const t = { plan: dur('plan'), sql: dur('sql'), total: dur('total') };
  return Number.isFinite(t.total) ? t : undefined;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function processCpuMs(pid: number): number {
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
}

/** Start `analyst serve` with its log going to a file; resolves to its URL and a stop function. */
async function startServer(dir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const log = openSync(join(dir, 'serve.log'), 'a');
  const child = spawn(process.execPath, [ANALYST_BIN, 'serve', '--workspace', dir, '--port', '0'], {
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, ANALYST_WORKSPACE: '' },
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"listening"'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`analyst serve exited ${code}; see ${dir}/serve.log`)));
  });
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * The Analyst in-process on the same workspace: first one question at a time (UNLOADED_S / 2),
 * then CONNECTIONS in flight for `seconds`. Sums of the agent's own step times ride along.
 */
async function inProcess(dir: string, seconds: number) {
  const ws = await Workspace.load(dir);
  const rt = await openRuntime(ws, { route: 'bench chat anchor' });
  const out = {
    latencies: [] as number[],
    planSql: 0,
    total: 0,
    errors: 0,
    seqPlanSql: 0,
    seqTotal: 0,
    cpuMs: 0,
  };
  const question = (i: number) => DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string;
  try {
    const ctx = contextOf(ws, 'analyst');
    for (const q of DEMO_QUESTIONS) await rt.analyst.run(q, ctx);
    const seqUntil = performance.now() + (UNLOADED_S / 2) * 1000;
    for (let i = 0; performance.now() < seqUntil; i++) {
      const t = performance.now();
      for await (const e of rt.analyst.ask(question(i), ctx))
        if (e.type === 'step' && e.ms !== undefined) out.seqPlanSql += e.ms;
      out.seqTotal += performance.now() - t;
    }
    const until = performance.now() + seconds * 1000;
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async (_, k) => {
        for (let i = k; performance.now() < until; i++) {
          const t = performance.now();
          try {
            for await (const e of rt.analyst.ask(question(i), ctx)) {
              if (e.type === 'step' && e.ms !== undefined) out.planSql += e.ms;
              if (e.type === 'result' && e.result.status !== 'ok') out.errors++;
            }
          } catch {
            out.errors++;
          }
          const ms = performance.now() - t;
          out.latencies.push(ms);
          out.total += ms;
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    out.cpuMs = (cpu.user + cpu.system) / 1000;
  } finally {
    await rt.close();
  }
  return out;
}

export const run: Bench = async () => {
  const demo = await demoWorkspace();
  try {
    // A load test is one caller at full speed: lift the per-identity rate limit, slot cap and
    // query-time budget and let all 16 requests in at once (the defaults would answer most of
    // them 429 / 503 by design).
    const yamlPath = join(demo.dir, 'analyst.yaml');
    const doc = parseDocument(await readFile(yamlPath, 'utf8'));
    doc.setIn(['server', 'limits', 'requests_per_minute'], 10_000_000);
    doc.setIn(['server', 'limits', 'concurrent_queries'], CONNECTIONS * 2);
    doc.setIn(['server', 'limits', 'concurrent_queries_per_identity'], CONNECTIONS * 2);
    doc.setIn(['server', 'limits', 'query_seconds_per_minute'], 10_000_000);
    await writeFile(yamlPath, doc.toString());
    const token = (await analystCli(['token', '--workspace', demo.dir, '--user', 'analyst'])).trim();

    // The anchor runs before and after the load run, so background load on a shared machine
    // weighs on both sides alike.
    const before = await inProcess(demo.dir, ANCHOR_S / 2);

    // The load run.
    const server = await startServer(demo.dir);
    const timings: Timing[] = [];
    const unloaded: Timing[] = [];
    let result: autocannon.Result;
    let serverCpuPerRequest = 0;
    try {
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      for (const q of DEMO_QUESTIONS) {
        const r = await fetch(`${server.url}/v1/chat`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ question: q }),
        });
        const body = (await r.json()) as { status?: string };
        if (r.status !== 200 || body.status !== 'ok')
          throw new Error(`warm-up failed for "${q}": ${r.status}`);
      }
      const load = (connections: number, duration: number, sink: Timing[]) =>
        autocannon({
          url: server.url,
          connections,
          duration,
          requests: DEMO_QUESTIONS.map((question) => ({
            method: 'POST' as const,
            path: '/v1/chat',
            headers,
            body: JSON.stringify({ question }),
            onResponse: (status: number, _body: string, _ctx: object, h?: Record<string, unknown>) => {
              const t = status === 200 ? parseServerTiming(String(h?.['server-timing'] ?? '')) : undefined;
              if (t) sink.push(t);
            },
          })),
        });
      // One client first: the split without 16 requests interleaving inside each other's steps.
      await load(1, UNLOADED_S, unloaded);
      const cpu0 = processCpuMs(server.pid);
      result = await load(CONNECTIONS, DURATION_S, timings);
      serverCpuPerRequest = (processCpuMs(server.pid) - cpu0) / result.requests.total;
    } finally {
      await server.stop();
    }

    const after = await inProcess(demo.dir, ANCHOR_S / 2);
    const inproc = [...before.latencies, ...after.latencies];
    const inprocPlanSql = before.planSql + after.planSql;
    const inprocTotal = before.total + after.total;
    const inprocErrors = before.errors + after.errors;
    const seqPlanSql = before.seqPlanSql + after.seqPlanSql;
    const seqTotal = before.seqTotal + after.seqTotal;
    const inprocCpuPerQuestion = (before.cpuMs + after.cpuMs) / inproc.length;

    const errors = result.errors + result.timeouts + result.non2xx;
    const outsideShare = (ts: Timing[]) =>
      ts.reduce((a, t) => a + (t.total - t.plan - t.sql), 0) / ts.reduce((a, t) => a + t.total, 0);
    const share = outsideShare(unloaded);
    const seqShare = 1 - seqPlanSql / seqTotal;
    const loadedShare = outsideShare(timings);
    const inprocShare = 1 - inprocPlanSql / inprocTotal;
    const anchor = percentiles(inproc);
    const inprocRps = inproc.length / ANCHOR_S;
    return [
      {
        name: 'chat.load.p50',
        value: result.latency.p50,
        unit: 'ms',
        anchor: `Analyst in-process, ${CONNECTIONS} in flight, p50`,
        anchorValue: anchor.p50,
        ratio: result.latency.p50 / anchor.p50,
        aim: 'report',
      },
      {
        name: 'chat.load.p99',
        value: result.latency.p99,
        unit: 'ms',
        anchor: `Analyst in-process, ${CONNECTIONS} in flight, p99`,
        anchorValue: anchor.p99,
        ratio: result.latency.p99 / anchor.p99,
        aim: 'report',
      },
      {
        name: 'chat.load.requests_per_s',
        value: result.requests.average,
        unit: 'req/s',
        anchor: 'Analyst in-process, questions/s',
        anchorValue: inprocRps,
        ratio: result.requests.average / inprocRps,
        aim: '>= 0.9',
      },
      {
        name: 'chat.load.cpu_per_request',
        value: serverCpuPerRequest,
        unit: 'CPU ms',
        anchor: 'Analyst in-process, CPU ms per question (16 in flight)',
        anchorValue: inprocCpuPerQuestion,
        ratio: serverCpuPerRequest / inprocCpuPerQuestion,
        aim: '<= 1.1',
      },
      {
        name: 'chat.load.errors',
        value: errors,
        unit: `errors of ${result.requests.total}`,
        anchor: 'Analyst in-process errors',
        anchorValue: inprocErrors,
        ratio: errors,
        aim: '<= 0',
      },
      {
        name: 'chat.server.outside_plan_sql.share',
        value: share,
        unit: 'share of server time, 1 client',
        anchor: 'same share for the Analyst in-process, one at a time (graph, conversation state, audit)',
        anchorValue: seqShare,
        ratio: share,
        aim: '<= 0.1',
      },
      {
        name: 'chat.server.added.share',
        value: share - seqShare,
        unit: 'share of server time, 1 client',
        anchor:
          'outside-plan/SQL share the HTTP layer adds over the in-process Analyst (auth, limits, serialisation)',
        anchorValue: seqShare,
        ratio: share - seqShare,
        aim: '<= 0.1',
      },
      {
        name: 'chat.server.outside_plan_sql.share.loaded',
        value: loadedShare,
        unit: `share of server wall time, ${CONNECTIONS} clients`,
        anchor: `same for the Analyst in-process, ${CONNECTIONS} in flight (steps overlap, so plan/SQL wall time includes waiting)`,
        anchorValue: inprocShare,
        ratio: loadedShare,
        aim: 'report',
      },
    ];
  } finally {
    await demo.remove();
  }
};
