import type { Command } from 'commander';
import { contextOf, openRuntime } from '../../app/index.ts';
import { isAnalystError } from '../../core/index.ts';
import { asOfOption, loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/**
 * `analyst sql --as USER [--json] "SQL"`: one governed SELECT as a users.yaml identity.
 * With --json: {"status":"ok"|"refused"|"error","columns","rows","truncated","reason"?}; a refusal exits 3.
 */
export function registerSql(program: Command, run: Run): void {
  program
    .command('sql')
    .description('run one governed SELECT as a user: row policies and masks apply')
    .requiredOption('--as <user>', 'a user id from users.yaml')
    .option('--max-rows <n>', 'row cap (the result says truncated when reached)', '10000')
    .option(
      '--snapshot <id>',
      "read the lake as of this snapshot (see 'analyst lake snapshots'); today's policies apply",
    )
    .option('--at <timestamp>', 'read the lake as of the last snapshot at or before this ISO 8601 time')
    .argument('<sql>', 'the statement')
    .action((sql: string, _o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ as: string; maxRows: string; snapshot?: string; at?: string }>(cmd);
        const asOfOpt = asOfOption(opts);
        if (!asOfOpt) return EXIT.usage;
        const { asOf } = asOfOpt;
        const ws = await loadWorkspace(opts);
        const ctx = contextOf(ws, opts.as);
        const rt = await openRuntime(ws, { route: 'analyst sql' });
        try {
          const started = performance.now();
          const r = await rt.gate
            .governedSql(sql, ctx, { maxRows: Number(opts.maxRows), asOf })
            .catch(async (err: unknown) => {
              const refused = isAnalystError(err) && err.exitCode === 3;
              await rt.record(
                {
                  type: refused ? 'policy_refusal' : 'request',
                  outcome: refused ? 'refused' : 'error',
                  question: sql,
                  error: { code: isAnalystError(err) ? err.code : 'INTERNAL' },
                  latencyMs: Math.round(performance.now() - started),
                  ...(asOf ? { details: { asOf } } : {}),
                },
                ctx,
              );
              throw err;
            });
          // Recorded before anything is printed: no audit record, no rows.
          await rt.record(
            {
              type: 'request',
              outcome: 'ok',
              question: sql,
              sql: r.sqlExecuted,
              relations: r.relations,
              rowsReturned: r.rows.length,
              latencyMs: Math.round(performance.now() - started),
              ...(asOf ? { details: { asOf, snapshot: r.snapshot } } : {}),
            },
            ctx,
          );
          if (opts.json) {
            process.stdout.write(
              `${JSON.stringify({ status: 'ok', columns: r.columns, rows: r.rows, truncated: r.truncated, ...(r.snapshot === undefined ? {} : { snapshot: r.snapshot }) })}\n`,
            );
          } else {
            process.stdout.write(
              `${table(
                r.columns.map((c) => c.name),
                r.rows,
              )}\n${r.rows.length} row(s)${r.truncated ? ' (truncated)' : ''}\n`,
            );
          }
          return EXIT.ok;
        } catch (err) {
          if (!opts.json || !isAnalystError(err)) throw err;
          const refused = err.exitCode === 3;
          process.stdout.write(
            `${JSON.stringify({ status: refused ? 'refused' : 'error', columns: [], rows: [], truncated: false, reason: err.message })}\n`,
          );
          process.stderr.write(`analyst: ${err.code}: ${err.message}\n`);
          return refused ? EXIT.refused : err.exitCode === 2 ? EXIT.usage : EXIT.error;
        } finally {
          await rt.close();
        }
      }),
    );
}
