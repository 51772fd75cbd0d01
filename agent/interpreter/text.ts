/**
 * Words for the interpreter: tokens with their positions, a light stemmer and a bounded edit
 * distance. Language mechanics only; what words mean for a model comes from the model.
 */

/** A word of the question: as written (lower case), stemmed, and its index. */
export interface Token {
  word: string;
  stem: string;
  index: number;
}

/** Words that carry no content of their own (grammar, politeness, question words). */
const STOP = new Set(
  `a an the of in on at for to from and or is are was were be been being do does did done what whats which who whom
  whose me show give tell list please i we our us you your my with that this these those there their its it has have
  had having can could would should will shall may might how as by into than then any all each every some per
  get find display see know want need let lets much many were many about across among during within over`
    .split(/\s+/)
    .filter(Boolean),
);

/** Lower-case word tokens: letters and digits; apostrophes dropped ("patient's" → "patients"). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[’']/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Plural and common suffixes, enough to match "encounters" with "encounter". */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(sses|uses|xes|ches|shes)$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  return w;
}

/** A question as tokens. */
export function tokenize(text: string): Token[] {
  return words(text).map((word, index) => ({ word, stem: stem(word), index }));
}

/** Whether a word carries content (not grammar). */
export function isContent(t: Token): boolean {
  return !STOP.has(t.word) && !STOP.has(t.stem);
}

/** Stemmed content words of a text (member titles, synonyms, descriptions). */
export function contentStems(text: string): string[] {
  return tokenize(text.replace(/_/g, ' '))
    .filter(isContent)
    .map((t) => t.stem);
}

/** Levenshtein distance, bounded: returns max+1 as soon as it is exceeded. */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length] ?? max + 1;
}

/** A question stem matches a lexicon stem exactly, or with a small typo in a longer word. */
export function stemMatches(question: string, lexicon: string): boolean {
  if (question === lexicon) return true;
  // Typos keep the first letter; "inpatient" is not a misspelt "patient".
  if (lexicon.length < 5 || question.length < 5 || question[0] !== lexicon[0]) return false;
  const max = lexicon.length >= 9 ? 2 : 1;
  return editDistance(question, lexicon, max) <= max;
}
