import { type AstNode, type AstValue, isNode } from './ast.ts';
import { PolicyRefusedError } from './errors.ts';

/**
 * Functions whose output size is set by an argument rather than by the data. DuckDB builds such a
 * value in one call: the per-query timeout cannot interrupt it, and list values are not counted
 * against the memory limit — `SELECT len(range(300000000))` took 19 GB and ran on long past its
 * timeout. So the size argument must be a whole-number literal within a cap — small, because a
 * vector of 2,048 rows is built in one go too. This stops the
 * one-call blow-ups only: values doubled through nested subqueries (`x || x`) or built by
 * aggregates can still grow past the memory limit; only an OS limit on the process stops those.
 * Each entry: the position of the size argument and its cap.
 */
const SIZE_ARGUMENT: ReadonlyMap<string, { index: number; max: number }> = new Map([
  ['lpad', { index: 1, max: 10_000 }],
  ['rpad', { index: 1, max: 10_000 }],
  ['list_resize', { index: 1, max: 10_000 }],
  ['array_resize', { index: 1, max: 10_000 }],
  ['bitstring', { index: 1, max: 10_000 }],
  ['equi_width_bins', { index: 2, max: 10_000 }],
  ['bar', { index: 3, max: 1_000 }],
]);
/** `repeat`: literal text times a literal count, at most this many characters. */
const MAX_REPEAT = 10_000;
/** `range` and `generate_series` (as scalar functions, building a list): at most this many elements. */
const MAX_SERIES = 10_000;
const INTEGER_TYPES = new Set([
  'TINYINT',
  'SMALLINT',
  'INTEGER',
  'BIGINT',
  'HUGEINT',
  'UTINYINT',
  'USMALLINT',
  'UINTEGER',
  'UBIGINT',
  'UHUGEINT',
]);

/** Refuse a call to a size-setting function unless its size is a small literal. */
export function checkSizeArguments(name: string, node: AstNode): void {
  const args = Array.isArray(node.children) ? node.children : [];
  if (name === 'range' || name === 'generate_series') {
    const n = args.map(literalInteger);
    if (n.length === 0 || n.some((v) => v === undefined)) {
      throw new PolicyRefusedError(
        `"${name}" needs whole-number literal arguments here (for example ${name}(1, 10)).`,
      );
    }
    const [a, b, step] =
      n.length === 1 ? [0, n[0] as number, 1] : [n[0] as number, n[1] as number, n[2] ?? 1];
    const span = step > 0 ? b - a : step < 0 ? a - b : 0;
    const count = Math.max(0, Math.ceil(span / Math.abs(step || 1))) + (name === 'generate_series' ? 1 : 0);
    if (count > MAX_SERIES) {
      throw new PolicyRefusedError(
        `"${name}" may build at most ${MAX_SERIES.toLocaleString('en')} values in governed SQL.`,
      );
    }
    return;
  }
  if (name === 'repeat') {
    // Nested, repeat multiplies (repeat(repeat(repeat('x', 10000), 10000), 30) took 6 GB), so the
    // text repeated must be a literal too.
    const text = args[0];
    const times = literalInteger(args[1]);
    const length =
      isNode(text) && text.class === 'CONSTANT' && isNode(text.value)
        ? String(text.value.value ?? '').length
        : undefined;
    if (length === undefined || times === undefined || length * times > MAX_REPEAT) {
      throw new PolicyRefusedError(
        `"repeat" needs a literal text and count, making at most ${MAX_REPEAT.toLocaleString('en')} characters.`,
      );
    }
    return;
  }
  const rule = SIZE_ARGUMENT.get(name);
  if (!rule || args.length <= rule.index) return;
  const size = literalInteger(args[rule.index]);
  if (size === undefined || size > rule.max) {
    throw new PolicyRefusedError(
      `The size given to "${name}" must be a whole-number literal no greater than ${rule.max.toLocaleString('en')}.`,
    );
  }
}

/** The value of an integer literal, or undefined (also for numbers beyond 2^53, kept as text). */
function literalInteger(value: AstValue | undefined): number | undefined {
  if (!isNode(value) || value.class !== 'CONSTANT' || !isNode(value.value)) return undefined;
  const v = value.value;
  const type = isNode(v.type) ? String(v.type.id) : '';
  if (!INTEGER_TYPES.has(type) || v.is_null === true || typeof v.value !== 'number') return undefined;
  return Number.isSafeInteger(v.value) ? v.value : undefined;
}
