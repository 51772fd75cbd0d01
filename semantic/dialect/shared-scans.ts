import type { SqlTemplate } from '../compiler/index.ts';
import { closingQuote } from './sql-text.ts';

/**
 * One scan of a lake table for a statement that reads it twice: as a cube's rows and inside a
 * member's own SQL (the 30-day readmission flag reads the other stays of the same patient with
 * `EXISTS (SELECT 1 FROM lake.main.encounters AS n WHERE …)`). Each scan of a lake table costs a
 * catalog lookup and a read of its files; the hand-written form of such a query reads the table
 * once into a CTE and joins it with itself, and so does this.
 *
 * While a statement is built, the cube's relation and the member's table are written as markers;
 * `resolve` turns a table read both ways into a MATERIALIZED CTE (holding only the table's columns
 * the statement names) and every other marker back into the table as written. The CTE holds the
 * table's rows as they are: a row policy still applies on the cube's side, exactly as on the table.
 */
export class SharedScans {
  /** Lake table (`schema.table`, lower-cased) → a column the table surely has. */
  readonly #anchors = new Map<string, string>();

  constructor(
    private readonly quote: (identifier: string) => string,
    private readonly catalog = 'lake',
  ) {}

  /**
   * The marker of a cube's relation on a lake table. `anchor` is a column the table surely has
   * (the CTE keeps at least it); without one the relation is left as it is.
   */
  relation(schema: string, table: string, sql: string, anchor: string | null): string {
    if (anchor === null) return sql;
    const key = `${schema}.${table}`.toLowerCase();
    this.#anchors.set(encodeURIComponent(key), anchor.toLowerCase());
    return marker('rel', key, sql);
  }

  /** A member's SQL with each reference to a lake table (`lake.main.encounters`) marked. */
  template(tpl: SqlTemplate): SqlTemplate {
    return tpl.map((p) => (p.t === 'text' ? { ...p, s: this.#text(p.s) } : p));
  }

  #text(s: string): string {
    if (!s.toLowerCase().includes(this.catalog)) return s;
    return mapCode(s, (code) =>
      code.replace(TABLE_REF, (whole, cat: string, schema: string, table: string) =>
        unquote(cat) === this.catalog ? marker('ref', `${unquote(schema)}.${unquote(table)}`, whole) : whole,
      ),
    );
  }

  /** The statement with its markers resolved: shared tables as CTEs, the rest as written. */
  resolve(sql: string): string {
    if (!sql.includes(START)) return sql;
    const seen = new Map<string, Set<string>>();
    for (const m of sql.matchAll(MARKER)) {
      const kinds = seen.get(m[2]!) ?? new Set<string>();
      kinds.add(m[1]!);
      seen.set(m[2]!, kinds);
    }
    const shared = [...seen]
      .filter(([key, kinds]) => kinds.size === 2 && this.#anchors.has(key))
      .map(([key]) => key);
    const names = new Map(shared.map((key, i) => [key, this.quote(`__scan${i}`)]));
    const body = sql.replace(MARKER, (_m, _kind: string, key: string, text: string) => {
      // Both kinds are followed by their alias (`… AS "encounters"`, `… AS n`).
      return names.get(key) ?? text;
    });
    if (names.size === 0) return body;
    const words = identifiers(body);
    const ctes = shared.map((key) => {
      const table = sql.match(new RegExp(`${START}rel\\|${escapeRegExp(key)}\\|([^${END}]*)${END}`))![1]!;
      const cols = [...new Set([this.#anchors.get(key)!, ...words])].map(literal);
      // Only the columns the statement names: the CTE is materialised, a table's other columns
      // would be copied for nothing. An identifier that names no column selects nothing.
      return `${names.get(key)} AS MATERIALIZED (SELECT COLUMNS(c -> lower(c) IN (${cols.join(', ')})) FROM ${table})`;
    });
    return `WITH ${ctes.join(', ')} ${body}`;
  }
}

// Markers are private-use characters: never in SQL the compiler or a model writes.
const START = '\uE000';
const END = '\uE001';
const MARKER = /\uE000(rel|ref)\|([^|\uE001]*)\|([^\uE001]*)\uE001/g;
const IDENT = `("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)`;
// A table named in full and given an alias (`lake.main.encounters AS n`): replaced by the CTE, it
// keeps the names its SQL reads it by. One without an alias is left alone: its columns may be
// qualified by the table's own name, which would then find the cube's rows instead.
const TABLE_REF = new RegExp(
  String.raw`(?<![\w".])${IDENT}\s*\.\s*${IDENT}\s*\.\s*${IDENT}(?=\s+AS\s+[A-Za-z_"])`,
  'gi',
);

function marker(kind: 'rel' | 'ref', key: string, sql: string): string {
  // The key is encoded: a name holding the separator cannot cut the marker short.
  return `${START}${kind}|${encodeURIComponent(key)}|${sql}${END}`;
}

function unquote(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replaceAll('""', '"').toLowerCase() : ident.toLowerCase();
}

function literal(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Apply `fn` to the parts of `s` outside string literals and comments. */
function mapCode(s: string, fn: (code: string) => string): string {
  let out = '';
  let code = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    let end = -1;
    if (c === "'") end = closing(s, i);
    else if (c === '-' && s[i + 1] === '-') end = s.indexOf('\n', i) < 0 ? s.length - 1 : s.indexOf('\n', i);
    else if (c === '/' && s[i + 1] === '*')
      end = s.indexOf('*/', i + 2) < 0 ? s.length - 1 : s.indexOf('*/', i + 2) + 1;
    else if (c === '"') {
      // A quoted name is code (it may be part of a table reference): kept whole.
      const q = closing(s, i);
      code += s.slice(i, q + 1);
      i = q + 1;
      continue;
    }
    if (end < 0) {
      code += c;
      i++;
      continue;
    }
    out += fn(code) + s.slice(i, end + 1);
    code = '';
    i = end + 1;
  }
  return out + fn(code);
}

/** The names a statement mentions (bare words and quoted names), lower-cased, outside literals. */
function identifiers(sql: string): string[] {
  const out = new Set<string>();
  mapCode(sql, (code) => {
    for (const m of code.matchAll(/"((?:[^"]|"")+)"|([A-Za-z_][A-Za-z0-9_]*)/g))
      out.add((m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]!).toLowerCase());
    return code;
  });
  return [...out].sort();
}

/** The closing quote of quoted text, or the last character when it never closes. */
function closing(s: string, open: number): number {
  const end = closingQuote(s, open);
  return end < 0 ? s.length - 1 : end;
}
