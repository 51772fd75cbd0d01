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

/** A read of the lake as of a snapshot id or a time (`--snapshot` / `--at`). */
export type AsOfOption = { snapshot: number } | { at: string };

/**
 * `--snapshot ID` or `--at TIME` as an as-of read: `{ asOf }` (undefined when neither is given), or
 * `null` after printing why the options are unusable (both given, or a snapshot id that is not a number).
 */
export function asOfOption(opts: {
  snapshot?: string;
  at?: string;
}): { asOf: AsOfOption | undefined } | null {
  if (opts.snapshot !== undefined && opts.at !== undefined) {
    process.stderr.write('analyst: give --snapshot or --at, not both\n');
    return null;
  }
  if (opts.snapshot !== undefined && !/^\d+$/.test(opts.snapshot)) {
    process.stderr.write('analyst: --snapshot takes a snapshot id (a whole number)\n');
    return null;
  }
  if (opts.snapshot !== undefined) return { asOf: { snapshot: Number(opts.snapshot) } };
  return { asOf: opts.at !== undefined ? { at: opts.at } : undefined };
}
