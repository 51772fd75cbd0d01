import type { Command } from 'commander';
import { askAsOf, contextOf, openRuntime } from '../../app/index.ts';
import { asOfOption, loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, progress, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/**
 * `analyst ask --as USER [--conversation ID] [--json] "QUESTION"`. With --json it prints exactly
 * one object: {"status","answer","interpretation","columns","rows","sql","semanticQuery","chart","conversationId","auditId"},
 * plus `fallback: true` and `fallbackReason` when the model endpoint failed and the offline interpreter answered,
 * and `suppressed: {minGroupSize, rows}` when small-cell suppression withheld values (null) in those rows.
 */
export function registerAsk(program: Command, run: Run): void {
  program
    .command('ask')
    .description('ask a question in plain language, as a user; follow up with --conversation')
    .requiredOption('--as <user>', 'a user id from users.yaml')
    .option('--conversation <id>', 'continue a conversation')
    .option('--snapshot <id>', "answer from the lake as of this snapshot (today's policies apply)")
    .option('--at <timestamp>', 'answer from the last snapshot at or before this ISO 8601 time')
    .argument('<question>', 'the question')
    .action((question: string, _o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ as: string; conversation?: string; snapshot?: string; at?: string }>(cmd);
        const asOfOpt = asOfOption(opts);
        if (!asOfOpt) return EXIT.usage;
        const { asOf } = asOfOpt;
        const ws = await loadWorkspace(opts);
        const ctx = contextOf(ws, opts.as);
        const rt = await openRuntime(ws, { route: 'analyst ask' });
        try {
          let result: Awaited<ReturnType<typeof rt.analyst.run>> | undefined;
          const events = asOf
            ? askAsOf(rt, asOf, question, ctx, opts.conversation)
            : rt.analyst.ask(question, ctx, { conversationId: opts.conversation });
          for await (const e of events) {
            if (e.type === 'step' && !opts.json && process.stderr.isTTY)
              progress(`… ${e.node.replace('_', ' ')}`);
            if (e.type === 'result') result = e.result;
          }
          if (!result) return EXIT.error;
          const { options, ...contract } = result;
          if (opts.json) process.stdout.write(`${JSON.stringify(contract)}\n`);
          else {
            const lines = [result.answer];
            if (result.fallback)
              lines.push(
                '',
                `(offline interpreter: ${result.fallbackReason ?? 'the model endpoint failed'})`,
              );
            if (result.rows.length) {
              // A withheld cell says so ("<11"), as in CSV export, rather than looking like a gap.
              const withheld = new Set(result.suppressed?.rows ?? []);
              const shown = result.rows
                .slice(0, 50)
                .map((r, n) =>
                  withheld.has(n)
                    ? r.map((v) => (v === null ? `<${result.suppressed?.minGroupSize}` : v))
                    : r,
                );
              lines.push(
                '',
                table(
                  result.columns.map((c) => c.name),
                  shown,
                ),
              );
            }
            if (options?.length) lines.push('', ...options.map((o, i) => `  ${i + 1}. ${o.question}`));
            if (result.sql) lines.push('', `SQL: ${result.sql.replace(/\s+/g, ' ').slice(0, 400)}`);
            if (result.snapshot !== undefined) lines.push(`as of lake snapshot ${result.snapshot}`);
            lines.push('', `conversation: ${result.conversationId}`);
            process.stdout.write(`${lines.join('\n')}\n`);
          }
          return result.status === 'refused'
            ? EXIT.refused
            : result.status === 'error'
              ? EXIT.error
              : EXIT.ok;
        } finally {
          await rt.close();
        }
      }),
    );
}
