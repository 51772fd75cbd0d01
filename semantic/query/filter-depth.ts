import { QueryInvalidError } from '../errors.ts';

/** How deep `and` / `or` filters may nest. Real queries stay within a handful of levels. */
export const MAX_FILTER_DEPTH = 32;

/**
 * Refuse filters nested deeper than `MAX_FILTER_DEPTH`, before anything walks them recursively (a
 * 3,000-deep `or` would otherwise exhaust the stack). Walks the raw input with an explicit stack,
 * so the check itself cannot overflow; anything that is not a filter list is left to the schema.
 */
export function checkFilterDepth(input: unknown): void {
  if (typeof input !== 'object' || input === null) return;
  const filters = (input as { filters?: unknown }).filters;
  if (!Array.isArray(filters)) return;
  const pending: Array<{ list: unknown[]; depth: number }> = [{ list: filters, depth: 1 }];
  while (pending.length > 0) {
    const { list, depth } = pending.pop()!;
    for (const f of list) {
      if (typeof f !== 'object' || f === null) continue;
      for (const key of ['and', 'or'] as const) {
        const inner = (f as Record<string, unknown>)[key];
        if (!Array.isArray(inner)) continue;
        if (depth + 1 > MAX_FILTER_DEPTH) {
          throw new QueryInvalidError(
            `The query is not valid: filters nest more than ${MAX_FILTER_DEPTH} levels of and/or deep; flatten them.`,
          );
        }
        pending.push({ list: inner, depth: depth + 1 });
      }
    }
  }
}
