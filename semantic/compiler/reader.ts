import type { ModelDiagnostic } from '../errors.ts';
import type { LNode } from './yaml-nodes.ts';

/**
 * Reads model nodes while collecting every problem with its file, line and member path, so a
 * model is reported in full instead of one error at a time.
 */
export class ModelReader {
  readonly diagnostics: ModelDiagnostic[] = [];
  /** Keys accepted but without effect here (Cube's caching, data sources): reported, not errors. */
  readonly warnings: ModelDiagnostic[] = [];
  constructor(readonly file: string) {}

  error(node: LNode | number, path: string, message: string): void {
    const line = typeof node === 'number' ? node : node.line;
    this.diagnostics.push({ file: this.file, line, path, message });
  }

  /**
   * The entries of a map, after checking its keys: unknown keys and keys of Cube features we
   * do not implement are errors (a silently ignored key could be a security setting).
   */
  map(
    node: LNode | undefined,
    path: string,
    allowed: readonly string[],
    unsupported: Readonly<Record<string, string>> = {},
    ignored: Readonly<Record<string, string>> = {},
  ): Map<string, LNode> | undefined {
    if (!node) return undefined;
    if (node.kind !== 'map') {
      this.error(node, path, 'must be a mapping');
      return undefined;
    }
    for (const [key, line] of node.keyLines) {
      if (allowed.includes(key)) continue;
      const ignoredWhy = ignored[key];
      if (ignoredWhy !== undefined) {
        this.warnings.push({
          file: this.file,
          line,
          path: `${path}.${key}`,
          message: `ignored: ${ignoredWhy}`,
        });
        continue;
      }
      const why = unsupported[key];
      if (why !== undefined) this.error(line, `${path}.${key}`, `not supported: ${why}`);
      else this.error(line, `${path}.${key}`, `unknown key "${key}" (allowed: ${allowed.join(', ')})`);
    }
    return node.entries;
  }

  seq(node: LNode | undefined, path: string): LNode[] {
    if (!node) return [];
    if (node.kind === 'scalar' && node.value === null) return [];
    if (node.kind !== 'seq') {
      this.error(node, path, 'must be a list');
      return [];
    }
    return node.items;
  }

  string(node: LNode | undefined, path: string, required = false): string | undefined {
    if (!node || (node.kind === 'scalar' && node.value === null)) {
      if (required) this.error(node ?? 0, path, 'is required');
      return undefined;
    }
    if (node.kind !== 'scalar' || typeof node.value === 'boolean') {
      this.error(node, path, 'must be text');
      return undefined;
    }
    return String(node.value);
  }

  bool(node: LNode | undefined, path: string): boolean | undefined {
    if (!node) return undefined;
    if (node.kind !== 'scalar' || typeof node.value !== 'boolean') {
      this.error(node, path, 'must be true or false');
      return undefined;
    }
    return node.value;
  }

  oneOf<T extends string>(node: LNode | undefined, path: string, values: readonly T[]): T | undefined {
    const s = this.string(node, path);
    if (s === undefined) return undefined;
    if (!(values as readonly string[]).includes(s)) {
      this.error(node!, path, `"${s}" is not one of ${values.join(', ')}`);
      return undefined;
    }
    return s as T;
  }

  /** A name usable in member paths and SQL aliases. */
  name(node: LNode | undefined, path: string): string | undefined {
    const s = this.string(node, path, true);
    if (s === undefined) return undefined;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) {
      this.error(
        node!,
        path,
        `"${s}" is not a valid name (letters, digits and _, not starting with a digit)`,
      );
      return undefined;
    }
    return s;
  }

  /** `prefix.name` when the node is a mapping with a usable name, else `fallback`: member paths read better. */
  label(node: LNode, prefix: string, fallback: string): string {
    const n = node.kind === 'map' ? node.entries.get('name') : undefined;
    return n?.kind === 'scalar' && typeof n.value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(n.value)
      ? `${prefix}.${n.value}`
      : fallback;
  }

  /** Plain JSON for free-form fields (`meta`). */
  json(node: LNode | undefined): unknown {
    if (!node) return undefined;
    if (node.kind === 'scalar') return node.value;
    if (node.kind === 'seq') return node.items.map((n) => this.json(n));
    const out: Record<string, unknown> = {};
    for (const [k, v] of node.entries) out[k] = this.json(v);
    return out;
  }

  /** `"*"` or a list of names. */
  nameList(node: LNode | undefined, path: string): string[] | '*' | undefined {
    if (!node) return undefined;
    if (node.kind === 'scalar' && node.value === '*') return '*';
    const out: string[] = [];
    this.seq(node, path).forEach((item, i) => {
      const n = this.string(item, `${path}[${i}]`, true);
      if (n !== undefined) out.push(n);
    });
    return out;
  }
}
