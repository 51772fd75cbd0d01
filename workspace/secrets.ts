import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { WorkspaceError } from './errors.ts';

const REF = /^\$\{(env|file):([^}]+)\}$/;

/**
 * Resolve a secret reference: `${env:NAME}` or `${file:path}` (relative to the workspace).
 * Plain values pass through unchanged. Secrets are never written back into config.
 *
 * @example resolveSecret('${env:PGPASSWORD}', '/ws')
 */
export function resolveSecret(value: string, workspaceDir: string): string {
  const m = REF.exec(value.trim());
  if (!m) return value;
  const [, kind, ref] = m as unknown as [string, 'env' | 'file', string];
  if (kind === 'env') {
    const v = process.env[ref];
    if (v === undefined)
      throw new WorkspaceError('SECRET_UNRESOLVED', `The environment variable ${ref} is not set.`);
    return v;
  }
  const path = isAbsolute(ref) ? ref : resolve(workspaceDir, ref);
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new WorkspaceError('SECRET_UNRESOLVED', `The secret file ${path} cannot be read.`, { cause });
  }
}

/** Whether a config value is a secret reference rather than a literal. */
export function isSecretRef(value: string): boolean {
  return REF.test(value.trim());
}
