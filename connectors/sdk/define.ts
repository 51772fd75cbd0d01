import { z } from 'zod';
import type { Connector } from './types.ts';

const SECRET = 'analystSecret';

/**
 * A string option that holds a secret (password, token). In analyst.yaml it must be a reference,
 * `${env:NAME}` or `${file:path}`; its value is redacted from every log line and error.
 *
 * @example const spec = z.object({ user: z.string(), password: secret() });
 */
export function secret(description = 'a secret'): z.ZodString {
  return z.string().meta({ [SECRET]: true, description });
}

/**
 * Declare a connector with its types checked.
 *
 * @example
 * export const hello = defineConnector({ type: 'hello', description: 'greetings', spec: z.object({}),
 *   check: async () => true, discover: async () => [], read: async function* () {} });
 */
export function defineConnector<O>(connector: Connector<O>): Connector<O> {
  return connector;
}

/** Dotted paths of the secret fields in a spec (through objects, optionals and defaults). */
export function secretPaths(schema: z.ZodType): string[] {
  const out: string[] = [];
  walk(schema, '', out);
  return out;
}

function walk(schema: z.ZodType, prefix: string, out: string[]): void {
  const meta = schema.meta() as Record<string, unknown> | undefined;
  if (meta?.[SECRET]) {
    out.push(prefix);
    return;
  }
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'object') {
    for (const [key, child] of Object.entries(def.shape as Record<string, z.ZodType>)) {
      walk(child, prefix ? `${prefix}.${key}` : key, out);
    }
  } else if (def.innerType) {
    walk(def.innerType as z.ZodType, prefix, out);
  } else if (def.type === 'record' && def.valueType) {
    walk(def.valueType as z.ZodType, prefix ? `${prefix}.*` : '*', out);
  }
}

/** The values at `paths` in `options` (strings only), for redaction. `*` matches every key. */
export function valuesAt(options: unknown, paths: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (value: unknown, parts: string[]): void => {
    if (parts.length === 0) {
      if (typeof value === 'string' && value.length > 0) found.push(value);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const [head, ...rest] = parts as [string, ...string[]];
    const obj = value as Record<string, unknown>;
    if (head === '*') for (const v of Object.values(obj)) visit(v, rest);
    else visit(obj[head], rest);
  };
  for (const p of paths) visit(options, p.split('.'));
  return found;
}
