import { quoteLiteral } from '../../core/index.ts';
import { SemanticError } from '../errors.ts';
import type { SqlDialect } from './dialect.ts';

/** A value bound to a placeholder. */
export type BoundValue = string | number | boolean | null;

/**
 * Collects the values of one statement and hands out their placeholders; an identical value is
 * bound once and its placeholder reused. In `inline` mode values become quoted SQL literals
 * instead (for SQL that is embedded into other statements, such as governed relations).
 */
export class ParamCollector {
  readonly values: BoundValue[] = [];
  readonly #index = new Map<string, string>();
  constructor(
    private readonly dialect: SqlDialect,
    private readonly inline = false,
  ) {}

  add(value: BoundValue): string {
    if (this.inline) return literal(value);
    const key = `${typeof value}:${String(value)}`;
    const hit = this.#index.get(key);
    if (hit) return hit;
    this.values.push(value);
    const p = this.dialect.placeholder(this.values.length);
    this.#index.set(key, p);
    return p;
  }
}

/** A value as an SQL literal: strings quoted (quotes doubled), numbers finite, booleans, NULL. */
export function literal(value: BoundValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SemanticError('QUERY_INVALID', 'A number value is not finite.');
    return String(value);
  }
  return quoteLiteral(value);
}
