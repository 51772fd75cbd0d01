// Lexical work on statement text before it is parsed: where statements end, where `$n`
// placeholders stand, and which stretches are code (not string literals, quoted names or
// comments). The governed SQL gate parses and checks whatever text comes out of here, so these
// helpers only have to be right about PostgreSQL's quoting, never about safety.
import { quoteLiteral } from '../../core/index.ts';
import { OID } from './types.ts';

/** A stretch of statement text: code, or something quoted (literal, identifier, comment). */
interface Piece {
  code: boolean;
  text: string;
}

/** Split text into code and quoted pieces (single and double quotes, E'', $tag$, comments). */
function pieces(sql: string): Piece[] {
  const out: Piece[] = [];
  let code = '';
  let i = 0;
  const push = (text: string) => {
    if (code) out.push({ code: true, text: code });
    code = '';
    out.push({ code: false, text });
  };
  while (i < sql.length) {
    const ch = sql[i] as string;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      push(sql.slice(i, stop));
      i = stop;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      push(sql.slice(i, j));
      i = j;
    } else if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && /[eE]$/.test(code) && !/[A-Za-z0-9_][eE]$/.test(code);
      let j = i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === ch && sql[j + 1] === ch) j += 2;
        else if (sql[j] === ch) break;
        else j++;
      }
      push(sql.slice(i, j + 1));
      i = j + 1;
    } else if (ch === '$' && !/[A-Za-z0-9_]$/.test(code)) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end < 0 ? sql.length : end + tag[0].length;
        push(sql.slice(i, stop));
        i = stop;
      } else {
        code += ch;
        i++;
      }
    } else {
      code += ch;
      i++;
    }
  }
  if (code) out.push({ code: true, text: code });
  return out;
}

/** Rewrite the code parts of `sql` (never literals, quoted names or comments). */
export function mapCode(sql: string, fn: (code: string) => string): string {
  return pieces(sql)
    .map((p) => (p.code ? fn(p.text) : p.text))
    .join('');
}

/**
 * The statements of a simple-query string, split at semicolons outside quotes and comments;
 * blank statements are dropped.
 *
 * @example splitStatements("SET a = 'x;y'; SELECT 1") // => ["SET a = 'x;y'", 'SELECT 1']
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const p of pieces(sql)) {
    if (!p.code) {
      current += p.text;
      continue;
    }
    const parts = p.text.split(';');
    for (let k = 0; k < parts.length; k++) {
      current += parts[k];
      if (k < parts.length - 1) {
        out.push(current);
        current = '';
      }
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter((s) => stripComments(s).trim() !== '');
}

/** The text without comments. */
export function stripComments(sql: string): string {
  return pieces(sql)
    .filter((p) => p.code || !(p.text.startsWith('--') || p.text.startsWith('/*')))
    .map((p) => p.text)
    .join('');
}

/** The first keyword of a statement, upper-cased ('' when none). */
export function firstKeyword(sql: string): string {
  const m = /^[\s(]*([A-Za-z_]+)/.exec(stripComments(sql));
  return m ? (m[1] as string).toUpperCase() : '';
}

/** The highest `$n` placeholder in the statement (0 when none). */
export function placeholderCount(sql: string): number {
  let max = 0;
  mapCode(sql, (code) => {
    for (const m of code.matchAll(/(?<![A-Za-z0-9_$])\$(\d+)/g)) max = Math.max(max, Number(m[1]));
    return code;
  });
  return max;
}

const NUMERIC_OIDS = new Set<number>([OID.int2, OID.int4, OID.int8, OID.float4, OID.float8, OID.numeric]);

/**
 * The statement with each `$n` replaced by its value as a literal: numbers bare when the client
 * typed them as numbers, dates and timestamps as typed literals, anything else as a quoted string
 * (which DuckDB casts where the context needs another type).
 *
 * @example bindPlaceholders('SELECT * FROM t WHERE a = $1', ["it's"], [0]) // => "SELECT * FROM t WHERE a = 'it''s'"
 */
export function bindPlaceholders(
  sql: string,
  values: ReadonlyArray<string | null>,
  types: readonly number[],
): string {
  return mapCode(sql, (code) =>
    code.replace(/(?<![A-Za-z0-9_$])\$(\d+)/g, (whole, n: string) => {
      const i = Number(n) - 1;
      if (i < 0 || i >= values.length) return whole;
      const v = values[i];
      const type = types[i] ?? 0;
      if (v === null || v === undefined) return 'NULL';
      if (NUMERIC_OIDS.has(type) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return `(${v})`;
      if (type === OID.bool) return /^(t|true|1|y|yes|on)$/i.test(v) ? 'TRUE' : 'FALSE';
      if (type === OID.date) return `DATE ${quoteLiteral(v)}`;
      if (type === OID.timestamp) return `TIMESTAMP ${quoteLiteral(v)}`;
      if (type === OID.timestamptz) return `TIMESTAMPTZ ${quoteLiteral(v)}`;
      return quoteLiteral(v);
    }),
  );
}
