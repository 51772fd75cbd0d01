import type { z } from 'zod';
import { ConnectorError } from '../errors.ts';
import { secretPaths, valuesAt } from '../sdk/define.ts';
import type { AnyConnector } from '../sdk/types.ts';

const REF = /^\$\{(env|file):[^}]+\}$/;

/** Turns `${env:NAME}` / `${file:path}` into the secret's value (the workspace supplies it). */
export type SecretResolver = (reference: string) => string;

/** Options after references are resolved and the connector's spec has validated them. */
export interface PreparedOptions {
  options: unknown;
  /** The resolved secret values, for redaction. */
  secrets: string[];
}

/**
 * Resolve secret references anywhere in a connector's options and validate them with its spec.
 * With `requireReferences`, a secret field holding a literal value is refused: secrets live in
 * the environment or a file, never in analyst.yaml.
 *
 * @example prepareOptions(postgres, { password: '${env:PGPASSWORD}' }, resolve, { requireReferences: true })
 */
export function prepareOptions(
  connector: AnyConnector,
  raw: unknown,
  resolve: SecretResolver,
  { requireReferences = false, label = connector.type }: { requireReferences?: boolean; label?: string } = {},
): PreparedOptions {
  const paths = secretPaths(connector.spec as z.ZodType);
  if (requireReferences) {
    for (const p of paths) {
      for (const v of valuesAt(raw, [p])) {
        if (!REF.test(v.trim())) {
          throw new ConnectorError(
            'SECRET_IN_PLAIN_CONFIG',
            `${label}: option ${p} is a secret; write it as \${env:NAME} or \${file:path}, not as a literal value.`,
            { exitCode: 2 },
          );
        }
      }
    }
  }
  const resolved = resolveDeep(raw, resolve);
  const parsed = (connector.spec as z.ZodType).safeParse(resolved);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`)
      .join('; ');
    throw new ConnectorError('CONNECTOR_CONFIG_INVALID', `${label}: invalid options: ${problems}`, {
      exitCode: 2,
    });
  }
  return { options: parsed.data, secrets: valuesAt(parsed.data, paths) };
}

function resolveDeep(value: unknown, resolve: SecretResolver): unknown {
  if (typeof value === 'string') return REF.test(value.trim()) ? resolve(value) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, resolve));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, resolve)]));
  }
  return value;
}
