import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Workspace } from '../workspace/index.ts';

/** Options every command accepts. */
export interface GlobalOptions {
  workspace?: string;
  json?: boolean;
}

/** The workspace folder: --workspace, else $ANALYST_WORKSPACE, else the current folder. */
export function workspaceDir(opts: GlobalOptions): string {
  return resolve(opts.workspace ?? process.env.ANALYST_WORKSPACE ?? process.cwd());
}

/** Load the workspace named by the command's options. */
export function loadWorkspace(opts: GlobalOptions): Promise<Workspace> {
  return Workspace.load(workspaceDir(opts));
}

/** Merge a command's own options with the program's global ones. */
export function optionsOf<T extends object>(cmd: Command): T & GlobalOptions {
  return cmd.optsWithGlobals() as T & GlobalOptions;
}
