// `ask` with the offline interpreter over the demo data, in-process and one question at a time:
// end-to-end latency split into planning (every agent node but execute), SQL (execute: compile and
// run under the caller's policies) and the rest (graph bookkeeping, conversation state, the audit
// record written before release). The anchor: DuckDB running the same compiled SQL directly.
import { contextOf, openRuntime } from '../app/index.ts';
import { Workspace } from '../workspace/index.ts';
import { DEMO_QUESTIONS, demoWorkspace } from './demo-workspace.ts';
import { type Bench, type BenchResult, percentiles } from './result.ts';

const WARMUP_ROUNDS = 3;
const ASKS = 350;
const BUDGET_MS = 150;
/** The aim for reading a question into a plan (the plan node alone), p50. */
const PLAN_BUDGET_MS = 5;

export const run: Bench = async () => {
  const demo = await demoWorkspace();
  try {
    const ws = await Workspace.load(demo.dir);
    const rt = await openRuntime(ws, { route: 'bench agent' });
    try {
      const ctx = contextOf(ws, 'analyst');
      // Warm: the caller's context (model, value index) is cached after the first question.
      const compiled: Array<{ sql: string; params: unknown[] }> = [];
      for (let r = 0; r < WARMUP_ROUNDS; r++) {
        for (const q of DEMO_QUESTIONS) {
          const result = await rt.analyst.run(q, ctx);
          if (result.status !== 'ok') throw new Error(`bench question not answered: ${q} (${result.status})`);
          if (r === 0 && result.semanticQuery) {
            const [sql, params] = rt.semantic.sql(result.semanticQuery as never, ctx).sql.sql;
            compiled.push({ sql, params: params as unknown[] });
          }
        }
      }

      const total: number[] = [];
      const planning: number[] = [];
      const sql: number[] = [];
      const rest: number[] = [];
      const plan: number[] = [];
      for (let i = 0; i < ASKS; i++) {
        const question = DEMO_QUESTIONS[i % DEMO_QUESTIONS.length] as string;
        let p = 0;
        let s = 0;
        const t = performance.now();
        for await (const e of rt.analyst.ask(question, ctx)) {
          if (e.type === 'step' && e.ms !== undefined) {
            if (e.node === 'execute') s += e.ms;
            else p += e.ms;
            if (e.node === 'plan') plan.push(e.ms);
          }
        }
        const ms = performance.now() - t;
        total.push(ms);
        planning.push(p);
        sql.push(s);
        rest.push(ms - p - s);
      }

      // The anchor: the same SQL, compiled once, run straight on the lake.
      const direct: number[] = [];
      for (let i = 0; i < ASKS; i++) {
        const c = compiled[i % compiled.length] as { sql: string; params: unknown[] };
        const t = performance.now();
        await rt.lake.query(c.sql, c.params as never);
        direct.push(performance.now() - t);
      }

      const e2e = percentiles(total);
      const d = percentiles(direct);
      const p50 = (xs: number[]) => percentiles(xs).p50;
      const share = (name: string, xs: number[], what: string): BenchResult => ({
        name: `agent.ask.${name}.p50`,
        value: p50(xs),
        unit: 'ms',
        anchor: `end-to-end ask p50 (${what})`,
        anchorValue: e2e.p50,
        ratio: p50(xs) / e2e.p50,
        aim: 'report',
      });
      return [
        {
          name: 'agent.ask.p50',
          value: e2e.p50,
          unit: 'ms',
          anchor: 'duckdb running the same compiled SQL directly, p50',
          anchorValue: d.p50,
          ratio: e2e.p50 / d.p50,
          aim: 'report',
        },
        {
          name: 'agent.ask.p50.budget',
          value: e2e.p50,
          unit: 'ms',
          anchor: `the ${BUDGET_MS} ms end-to-end budget`,
          anchorValue: BUDGET_MS,
          ratio: e2e.p50 / BUDGET_MS,
          aim: '< 1',
        },
        {
          name: 'agent.ask.p99',
          value: e2e.p99,
          unit: 'ms',
          anchor: 'duckdb running the same compiled SQL directly, p99',
          anchorValue: d.p99,
          ratio: e2e.p99 / d.p99,
          aim: 'report',
        },
        {
          // The plan node alone: the question interpreter.
          name: 'agent.plan.p50',
          value: p50(plan),
          unit: 'ms',
          anchor: `the ${PLAN_BUDGET_MS} ms planning budget`,
          anchorValue: PLAN_BUDGET_MS,
          ratio: p50(plan) / PLAN_BUDGET_MS,
          aim: '< 1',
        },
        share('planning', planning, 'share: planning'),
        share('sql', sql, 'share: SQL compile and run'),
        share('overhead', rest, 'share: graph, conversation state, audit'),
      ];
    } finally {
      await rt.close();
    }
  } finally {
    await demo.remove();
  }
};
