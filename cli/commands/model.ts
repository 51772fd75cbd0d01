import type { Command } from 'commander';
import { VerifiedQueryStore } from '../../agent/index.ts';
import { borrowLake } from '../../app/index.ts';
import { hasCode } from '../../core/index.ts';
import {
  compileModelPartial,
  duckdbDialect,
  formatDiagnostic,
  introspect,
  type ModelDiagnostic,
  type ModelExclusion,
  type ModelInvalidError,
  readModelFiles,
} from '../../semantic/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { EXIT, printData } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

/** What `analyst model validate` reports. */
interface ValidateReport {
  modelDir: string;
  valid: boolean;
  cubes: number;
  views: number;
  diagnostics: ModelDiagnostic[];
  /** What the problems leave out (the rest is served); empty when valid. */
  excluded: ModelExclusion[];
  /** Keys accepted without effect (refresh_key, pre_aggregations, …). */
  warnings: ModelDiagnostic[];
  /** Cubes whose tables the lake lacks (only when the lake was checked). */
  unavailable: Array<{ cube: string; reason: string }>;
  lakeChecked: boolean;
  lakeMessage?: string;
  /** The model's verified queries (`verified_queries/*.yaml`): how many read, and the files that do not. */
  verifiedQueries: { count: number; problems: Array<{ file: string; message: string }> };
}

/** `analyst model validate`: compile the workspace's model, then check it against the lake. */
export function registerModel(program: Command, run: Run): void {
  const model = program.command('model').description('the semantic model (Cube-format YAML files)');
  model
    .command('validate')
    .description('compile every model file and report all problems with file, line and member path')
    .option('--no-lake', 'do not check the model against the lake')
    .action((_o, cmd: Command) =>
      run(async () => {
        const opts = optionsOf<{ lake: boolean }>(cmd);
        const ws = await loadWorkspace(opts);
        const modelDir = ws.path(ws.config.semantic.model_dir);
        const report: ValidateReport = {
          modelDir,
          valid: true,
          cubes: 0,
          views: 0,
          diagnostics: [],
          excluded: [],
          warnings: [],
          unavailable: [],
          lakeChecked: false,
          verifiedQueries: { count: 0, problems: [] },
        };
        const verified = await new VerifiedQueryStore(modelDir).list();
        report.verifiedQueries = { count: verified.queries.length, problems: verified.problems };
        try {
          const partial = compileModelPartial(await readModelFiles(modelDir));
          const compiled = partial.model;
          report.valid = partial.diagnostics.length === 0;
          report.diagnostics = partial.diagnostics;
          report.excluded = partial.excluded;
          report.warnings = partial.warnings;
          report.cubes = compiled.cubes.size;
          report.views = compiled.views.size;
          if (opts.lake) {
            let lake: Awaited<ReturnType<typeof borrowLake>> | undefined;
            try {
              lake = await borrowLake(ws);
            } catch (err) {
              report.lakeMessage = `the lake was not checked: ${err instanceof Error ? err.message : String(err)}`;
            }
            if (lake) {
              try {
                const facts = await introspect(compiled, lake.lake, duckdbDialect, { lenient: true });
                report.unavailable = [...facts.unavailable].map(([cube, reason]) => ({ cube, reason }));
                report.lakeChecked = true;
              } finally {
                await lake.release();
              }
            }
          }
        } catch (err) {
          if (!hasCode(err, 'MODEL_INVALID')) throw err;
          report.valid = false;
          report.diagnostics = [...(err as ModelInvalidError).diagnostics];
        }
        if (verified.problems.length) report.valid = false;
        printData(report, Boolean(opts.json), () => render(report));
        return report.valid ? EXIT.ok : EXIT.error;
      }),
    );
}

function render(r: ValidateReport): string {
  const lines = [`model ${r.modelDir}`];
  if (!r.diagnostics.length)
    lines.push(`${r.valid ? 'valid' : 'cubes and views valid'}: ${r.cubes} cubes, ${r.views} views`);
  else
    lines.push(
      `${r.diagnostics.length} problem${r.diagnostics.length === 1 ? '' : 's'}:`,
      ...r.diagnostics.map((d) => `  ${formatDiagnostic(d)}`),
      `served without what they leave out: ${r.cubes} cubes, ${r.views} views`,
      ...r.excluded.map((x) => `  left out: ${x.kind} ${x.name}`),
    );
  for (const w of r.warnings) lines.push(`warning: ${formatDiagnostic(w)}`);
  for (const u of r.unavailable) lines.push(`unavailable: ${u.cube} (${u.reason})`);
  if (r.verifiedQueries.count) lines.push(`verified queries: ${r.verifiedQueries.count}`);
  for (const p of r.verifiedQueries.problems) lines.push(`  ${p.message}`);
  if (r.lakeMessage) lines.push(r.lakeMessage);
  return lines.join('\n');
}
