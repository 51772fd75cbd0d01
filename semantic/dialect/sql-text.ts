/**
 * The index of the quote that closes the quoted text opening at `open` (a doubled quote is an
 * escaped one and does not close it), or -1 when the text never closes.
 *
 * @example closingQuote(`'it''s' x`, 0) // 6
 */
export function closingQuote(s: string, open: number): number {
  const q = s[open];
  let i = open + 1;
  while (i < s.length) {
    if (s[i] === q) {
      if (s[i + 1] === q) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  return -1;
}

const WORD_START = /[A-Za-z_]/;
const WORD = /[A-Za-z0-9_$]/;

/**
 * `sql` with each relation in `relations` (its text exactly as the dialect wrote it, e.g.
 * `lake."_preagg"."t"`) replaced by its new text wherever it stands as a name: never inside a
 * string literal, a quoted identifier or a comment, nor as part of a longer name. Null when the
 * result would still name the catalog `catalog` anywhere (another table of it, in any case or
 * quoting), or when the text has a construct this scanner does not read (dollar-quoted or escape
 * strings): the caller then keeps the statement as it was.
 *
 * @example
 * replaceRelations(`SELECT 'lake."s"."t"' FROM lake."s"."t"`, new Map([['lake."s"."t"', 'temp.main.c']]), 'lake')
 * // SELECT 'lake."s"."t"' FROM temp.main.c
 */
export function replaceRelations(
  sql: string,
  relations: ReadonlyMap<string, string>,
  catalog: string,
): string | null {
  // Whether the name ending at `end` is followed by a dot (it qualifies another name).
  const qualifies = (end: number) => {
    let j = end;
    while (j < sql.length && /\s/.test(sql[j]!)) j++;
    return sql[j] === '.';
  };
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return null;
      out += sql.slice(i, end + 2);
      i = end + 2;
    } else if (c === "'" || c === '"') {
      const end = closingQuote(sql, i);
      if (end < 0) return null;
      if (
        c === '"' &&
        sql
          .slice(i + 1, end)
          .replaceAll('""', '"')
          .toLowerCase() === catalog &&
        qualifies(end + 1)
      )
        return null;
      out += sql.slice(i, end + 1);
      i = end + 1;
    } else if (c === '$' && !/[0-9]/.test(sql[i + 1] ?? '')) {
      return null;
    } else if (WORD_START.test(c) && !WORD.test(sql[i - 1] ?? '')) {
      let matched = false;
      for (const [from, to] of relations) {
        const after = sql[i + from.length] ?? '';
        if (sql.startsWith(from, i) && !WORD.test(after) && after !== '.' && after !== '"') {
          out += to;
          i += from.length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      let end = i + 1;
      while (end < sql.length && WORD.test(sql[end]!)) end++;
      const word = sql.slice(i, end);
      // E'…' strings read backslash escapes, which closingQuote does not.
      if (/^e$/i.test(word) && sql[end] === "'") return null;
      if (word.toLowerCase() === catalog && qualifies(end)) return null;
      out += word;
      i = end;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
