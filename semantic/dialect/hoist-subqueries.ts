import type { SqlTemplate } from '../compiler/index.ts';
import { closingQuote } from './sql-text.ts';

/** Stands for a member reference while the template is scanned (never in SQL text). */
const REF = '\u0000';

/**
 * The uncorrelated subqueries of calculated measures (`… / NULLIF((SELECT count(*) FROM
 * patients), 0)`), computed once per statement instead of once per mention. A calculated measure
 * is evaluated over the merged measure columns; a subquery written inside one text part of its SQL
 * names no member, so nothing of the row it is evaluated for. Left in place, each mention is a scan
 * of its own (and NULLIF, a macro, writes its argument twice); hoisted, equal subqueries share one
 * value. Were such a subquery to name a column of the merged row after all, it would fail to bind
 * where it is moved to: an error, never another number.
 */
export class SubqueryHoist {
  /** Subquery text → the name of the column holding its value. */
  readonly #columns = new Map<string, string>();

  constructor(private readonly quote: (identifier: string) => string) {}

  /**
   * The template with each hoistable subquery replaced by its hoisted column. The template is read
   * whole (a reference stands in as one opaque character): a subquery is hoisted only when it is
   * outermost in the whole SQL and names no member, so one inside a subquery that spans a member
   * reference (and may be correlated with it) stays where it is.
   */
  template(tpl: SqlTemplate): SqlTemplate {
    const joined = tpl.map((p) => (p.t === 'text' ? p.s : REF)).join('');
    const spans = subquerySpans(joined).filter(([a, b]) => !joined.slice(a, b).includes(REF));
    if (spans.length === 0) return tpl;
    let offset = 0;
    return tpl.map((p) => {
      const start = offset;
      offset += p.t === 'text' ? p.s.length : 1;
      if (p.t !== 'text') return p;
      const own = spans.filter(([a, b]) => a >= start && b <= offset).map(([a, b]) => [a - start, b - start]);
      return own.length ? { ...p, s: this.#replace(p.s, own as Array<[number, number]>) } : p;
    });
  }

  /** `CROSS JOIN` of the one row holding the hoisted values (empty when none was hoisted). */
  crossJoin(alias: string): string {
    if (this.#columns.size === 0) return '';
    const cols = [...this.#columns].map(([sql, col]) => `${sql} AS ${this.quote(col)}`);
    return ` CROSS JOIN (SELECT ${cols.join(', ')}) AS ${this.quote(alias)}`;
  }

  /** The alias the hoisted values are read through. */
  static readonly ALIAS = '__s';

  #replace(s: string, spans: Array<[number, number]>): string {
    let out = '';
    let last = 0;
    for (const [start, end] of spans) {
      const sql = s.slice(start, end);
      let col = this.#columns.get(sql);
      if (col === undefined) {
        col = `__s${this.#columns.size}`;
        this.#columns.set(sql, col);
      }
      out += `${s.slice(last, start)}${this.quote(SubqueryHoist.ALIAS)}.${this.quote(col)}`;
      last = end;
    }
    return out + s.slice(last);
  }
}

/**
 * `[start, end)` of each outermost parenthesised query (`(SELECT …)`, `(WITH …)`, `(FROM …)`)
 * in `s`, outside string literals, quoted names and comments. SQL the scan cannot be sure of (a
 * dollar-quoted string, a parameter, an unclosed quote or unbalanced parentheses) yields none.
 */
export function subquerySpans(s: string): Array<[number, number]> {
  if (s.includes('$')) return [];
  const spans: Array<[number, number]> = [];
  const opens: Array<{ at: number; query: boolean }> = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const close = closingQuote(s, i);
      if (close < 0) return [];
      i = close + 1;
      continue;
    }
    if (c === '-' && s[i + 1] === '-') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
      continue;
    }
    if (c === '/' && s[i + 1] === '*') {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) return [];
      i = close + 2;
      continue;
    }
    if (c === '(') {
      const query = /^\(\s*(SELECT|WITH|FROM)\b/i.test(s.slice(i, i + 12));
      opens.push({ at: i, query });
    } else if (c === ')') {
      const open = opens.pop();
      if (!open) return [];
      // Only outermost queries: one nested in another is hoisted with it.
      if (open.query && !opens.some((o) => o.query)) spans.push([open.at, i + 1]);
    }
    i++;
  }
  return opens.length ? [] : spans;
}
