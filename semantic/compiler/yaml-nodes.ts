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
  const convert = (node: unknown): LNode => {
    const line = lineOf((node as Node | null)?.range?.[0]);
    if (isMap(node)) {
      const entries = new Map<string, LNode>();
      const keyLines = new Map<string, number>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        keyLines.set(key, lineOf((pair.key as Node | null)?.range?.[0]));
        entries.set(
          key,
          pair.value === null
            ? { kind: 'scalar', line: keyLines.get(key)!, value: null }
            : convert(pair.value),
        );
      }
      return { kind: 'map', line, entries, keyLines };
    }
    if (isSeq(node)) return { kind: 'seq', line, items: node.items.map(convert) };
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
