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
