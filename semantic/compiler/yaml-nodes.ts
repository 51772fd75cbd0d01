import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { ModelDiagnostic } from '../errors.ts';

/** A YAML value with the line it starts on, so every problem can point at its line. */
export type LNode =
  | { kind: 'map'; line: number; entries: Map<string, LNode>; keyLines: Map<string, number> }
  | { kind: 'seq'; line: number; items: LNode[] }
  | { kind: 'scalar'; line: number; value: string | number | boolean | null };

/** Parse one model file; syntax errors become diagnostics (the file then yields no node). */
export function parseModelYaml(file: string, text: string, out: ModelDiagnostic[]): LNode | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number | undefined) =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  if (doc.errors.length) {
    for (const e of doc.errors) {
      out.push({
        file,
        line: lineOf(e.pos[0]),
        path: '(file)',
        message: e.message.split('\n')[0] ?? 'invalid YAML',
      });
    }
    return undefined;
  }
  // Cube reads its YAML keys in either case (`access_policy` or `accessPolicy`, `row_level` or
  // `rowLevel`): camelCase keys are read as snake_case, except anywhere inside `meta` (the user's own keys, such
  // as value synonyms keyed by stored values); other keys are kept as written.
  const convert = (node: unknown, keepKeys = false): LNode => {
    const line = lineOf((node as Node | null)?.range?.[0]);
    if (isMap(node)) {
      const entries = new Map<string, LNode>();
      const keyLines = new Map<string, number>();
      const written = new Set(node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key))));
      for (const pair of node.items) {
        const raw = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const snake =
          keepKeys || !/[a-z0-9][A-Z]/.test(raw)
            ? raw
            : raw.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
        const key = snake !== raw && !written.has(snake) ? snake : raw;
        keyLines.set(key, lineOf((pair.key as Node | null)?.range?.[0]));
        entries.set(
          key,
          pair.value === null
            ? { kind: 'scalar', line: keyLines.get(key)!, value: null }
            : convert(pair.value, keepKeys || raw === 'meta'),
        );
      }
      return { kind: 'map', line, entries, keyLines };
    }
    if (isSeq(node)) return { kind: 'seq', line, items: node.items.map((n) => convert(n, keepKeys)) };
    if (isScalar(node)) {
      const v = node.value;
      const value =
        v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
          ? v
          : String(v);
      return { kind: 'scalar', line, value };
    }
    return { kind: 'scalar', line, value: null };
  };
  return doc.contents === null ? undefined : convert(doc.contents);
}
