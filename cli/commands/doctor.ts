import type { Command } from 'commander';
import { runDoctor, workspaceDoctorInputs } from '../../compliance/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData } from '../output.ts';

/**
 * `analyst doctor [--strict] [--json]`: the six compliance obligations with evidence and gaps.
 * `--strict` exits 1 when any check has a gap.
 */
export function registerDoctor(program: Command, run: (fn: () => Promise<number | undefined>) => void): void {
  program
    .command('doctor')
    .description('check the deployment against the six compliance obligations')
    .option('--strict', 'exit 1 when any obligation has a gap')
    .option('--model <dir>', 'the Cube model folder (default: model/ in the workspace)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const o = optionsOf<{ strict?: boolean; model?: string }>(cmd);
        const ws = await loadWorkspace(o);
        const report = await runDoctor(
          workspaceDoctorInputs(ws, o.model ? { modelDir: ws.path(o.model) } : {}),
        );
        printData(report, Boolean(o.json), () =>
          [
            ...report.checks.flatMap((c) => [
              `${c.ok ? 'ok  ' : 'GAP '} ${c.id}. ${c.title}`,
              ...c.evidence.map((e) => `       ${e}`),
              ...c.gaps.map((g) => `     ! ${g}`),
            ]),
            '',
            'Residency:',
            ...report.residency.map((r) => `  ${r}`),
            '',
            report.ok ? 'No gaps.' : `${report.checks.filter((c) => !c.ok).length} obligation(s) with gaps.`,
          ].join('\n'),
        );
        return o.strict && !report.ok ? 1 : 0;
      }),
    );
}
