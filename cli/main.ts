import { Command, CommanderError } from 'commander';
import { registerApiKey } from './commands/apikey.ts';
import { registerAsk } from './commands/ask.ts';
import { registerAudit } from './commands/audit.ts';
import { registerBackup } from './commands/backup.ts';
import { registerBreakGlass } from './commands/break-glass.ts';
import { registerConnectors } from './commands/connectors.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEval } from './commands/eval.ts';
import { registerInit } from './commands/init.ts';
import { registerLake } from './commands/lake.ts';
import { registerMcp } from './commands/mcp.ts';
import { registerModel } from './commands/model.ts';
import { registerPreagg } from './commands/preagg.ts';
import { registerServe } from './commands/serve.ts';
import { registerSql } from './commands/sql.ts';
import { registerStart } from './commands/start.ts';
import { registerSync } from './commands/sync.ts';
import { registerToken } from './commands/token.ts';
import { forwardToServer } from './control/client.ts';
import { EXIT, reportError } from './output.ts';

/**
 * The `analyst` command line. Each command registers itself; `run` turns its result or error
 * into the shared exit codes (0 ok, 1 error, 2 usage, 3 refused by policy).
 */
export function buildProgram(): { program: Command; done: Promise<number> } {
  let settle: (code: number) => void = () => {};
  const done = new Promise<number>((r) => {
    settle = r;
  });
  const program = new Command('analyst')
    .description('A private AI data analyst for healthcare')
    .option('--workspace <dir>', 'workspace folder (default $ANALYST_WORKSPACE, else the current folder)')
    .option('--json', 'print machine-readable JSON')
    .exitOverride()
    .showHelpAfterError();
  const run = (fn: () => Promise<number | undefined>) => {
    fn().then(
      (code) => settle(code ?? EXIT.ok),
      (err) => settle(reportError(err, Boolean(program.opts().json))),
    );
  };
  registerInit(program, run);
  registerLake(program, run);
  registerModel(program, run);
  registerPreagg(program, run);
  registerStart(program, run);
  registerSql(program, run);
  registerAsk(program, run);
  registerServe(program, run);
  registerToken(program, run);
  registerApiKey(program, run);
  registerAudit(program, run);
  registerDoctor(program, run);
  registerBreakGlass(program, run);
  registerConnectors(program, run);
  registerSync(program, run);
  registerDemo(program, run);
  registerEval(program, run);
  registerMcp(program, run);
  registerBackup(program, run);
  return { program, done };
}

export async function main(argv: string[]): Promise<number> {
  // A server serving this workspace runs the command on its lake (the control socket).
  const forwarded = await forwardToServer(argv);
  if (forwarded !== undefined) return forwarded;
  const { program, done } = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; anything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(err, false);
  }
  if (program.args.length === 0 && argv.length <= 2) {
    program.outputHelp();
    return EXIT.usage;
  }
  return done;
}
