/**
 * Finding identifiers in free text (questions, prompts) and swapping them for placeholders the
 * model can use verbatim; `restore` swaps them back locally.
 */

/** What kind of identifier a placeholder stands for; its prefix, e.g. [NAME_1]. */
export type IdentifierKind =
  | 'NAME'
  | 'SSN'
  | 'PHONE'
  | 'EMAIL'
  | 'MRN'
  | 'ID'
  | 'DATE'
  | 'ZIP'
  | 'ADDRESS'
  | 'URL'
  | 'IP';

/** A value known to identify someone (a patient name or MRN from the value index). */
export type KnownIdentifier = string | { value: string; kind?: IdentifierKind };

/** Placeholder → the text it replaced. Plain JSON, so a conversation can keep it between turns. */
export type PlaceholderMap = Record<string, string>;

interface Detector {
  kind: IdentifierKind;
  pattern: RegExp;
  /** Strong detectors are also checked on everything leaving for a restricted endpoint. */
  strong: boolean;
  accept?: (match: string) => boolean;
  /** A name by its shape: taken only when none of its words is a word of the product's vocabulary. */
  nameShaped?: boolean;
}

const MONTH =
  '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)';
const ID_LABEL =
  '(?:MRN|medical record(?: number| no\\.?)?|record (?:number|no\\.?)|member(?: id| number)?|patient id|beneficiary(?: id| number)?|account(?: number| no\\.?)?|acct\\.?|policy(?: number| no\\.?)?|claim(?: id| number)?|licen[cs]e(?: number)?|certificate(?: number)?|device id|serial(?: number)?)';

// Order matters: on overlapping matches the earlier detector wins.
const DETECTORS: readonly Detector[] = [
  { kind: 'EMAIL', strong: true, pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g },
  { kind: 'URL', strong: true, pattern: /\bhttps?:\/\/[^\s"'<>]+/gi },
  { kind: 'SSN', strong: true, pattern: /\b\d{3}[- ]\d{2}[- ]\d{4}\b/g },
  {
    kind: 'SSN',
    strong: true,
    pattern: /(?<=\b(?:SSN|social security(?: number)?)[\s:#]{0,3}(?:is\s+)?)\d{9}\b/gi,
  },
  {
    kind: 'PHONE',
    strong: true,
    pattern: /(?<![\w-])(?:\+?1[-.\s]?)?(?:\(\d{3}\)\s?|\d{3}[-.\s])\d{3}[-.\s]\d{4}\b/g,
  },
  {
    kind: 'ID',
    strong: true,
    pattern: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  },
  {
    kind: 'MRN',
    strong: true,
    pattern: new RegExp(`(?<=\\b${ID_LABEL}[\\s:#.]{0,3}(?:is\\s+)?)[A-Z0-9][A-Z0-9-]{3,}\\b`, 'gi'),
    // A year after a label ("claim 2019") is a filter, not a record number.
    accept: (m) => /\d/.test(m) && !/^(19|20)\d{2}$/.test(m),
  },
  {
    kind: 'ZIP',
    strong: false,
    pattern: /(?<=\b(?:zip|zip code|zipcode|postal code)[\s:#]{0,3})\d{5}(?:-\d{4})?\b/gi,
  },
  { kind: 'ZIP', strong: false, pattern: /\b\d{5}-\d{4}\b/g },
  // A street address: number, street name, street type, and an optional unit.
  {
    kind: 'ADDRESS',
    strong: false,
    pattern:
      /\b\d{1,6}\s+(?:[A-Z][\w'’-]*\s+){1,4}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Row|Alley|Plaza|Manor|Walk|Gate|Crossing|Heights|Ridge|Path|Loop|Mall|Knoll|Gardens|Grove|Hill|Park|Point|View|Village)\b\.?(?:,?\s+(?:Unit|Apt|Apartment|Suite|Ste|#)\.?\s*[\w-]+)?/g,
  },
  {
    kind: 'IP',
    strong: true,
    pattern: /\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b/g,
  },
  {
    kind: 'DATE',
    strong: false,
    pattern: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?\b/g,
  },
  { kind: 'DATE', strong: false, pattern: /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g },
  // 1997/12/12, 1997.12.12, 12.12.1997, 12-12-1997, 12.12.97
  { kind: 'DATE', strong: false, pattern: /\b\d{4}[/.]\d{1,2}[/.]\d{1,2}\b/g },
  { kind: 'DATE', strong: false, pattern: /\b\d{1,2}[.-]\d{1,2}[.-](?:\d{4}|\d{2})\b(?![.-]\d)/g },
  {
    kind: 'DATE',
    strong: false,
    pattern: new RegExp(`\\b${MONTH}\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}\\b`, 'gi'),
  },
  {
    kind: 'DATE',
    strong: false,
    pattern: new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH}\\.?,?\\s+\\d{4}\\b`, 'gi'),
  },
  // Mixed letters and 5+ digits (A1234567, MRN00123), and long bare numbers: record-like ids.
  {
    kind: 'MRN',
    strong: false,
    pattern: /\b(?=[A-Za-z0-9-]*\d{5})(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{5,}\b/g,
  },
  { kind: 'ID', strong: false, pattern: /(?<![\d.,])\d{7,}(?![\d.,]\d)/g },
  // A bare five-digit number reads as a ZIP code: it goes as a placeholder and is restored locally.
  { kind: 'ZIP', strong: false, pattern: /(?<![\d.,$€£-])\b\d{5}\b(?![.,]?\d)/g },
  // Names by shape: a word with digits glued on (record-style names), a title and a name, a name
  // after "named"/"called", and two to four capitalised words none of which the product knows.
  { kind: 'NAME', strong: false, pattern: /\b[A-Z][a-z]+\d{1,4}\b(?:\s+[A-Z][a-z]+\d{1,4}\b)*/g },
  {
    kind: 'NAME',
    strong: false,
    pattern: /\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}/g,
  },
  {
    kind: 'NAME',
    strong: false,
    pattern: /(?<=\b(?:named|called)\s+)[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}/g,
  },
  {
    kind: 'NAME',
    strong: false,
    nameShaped: true,
    pattern: /(?<![.!?:]\s*|^\s*)\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){1,3}\b/g,
  },
];

/** Identifiers shorter than this are too likely to be ordinary words to match safely. */
const MIN_KNOWN_LENGTH = 4;

interface Span {
  start: number;
  end: number;
  kind: IdentifierKind;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const WORD = /[\p{L}\p{N}]+(?:['’.-][\p{L}\p{N}]+)*/gu;

interface Token {
  text: string;
  lower: string;
  start: number;
  end: number;
}

function tokens(text: string): Token[] {
  return [...text.matchAll(WORD)].map((m) => ({
    text: m[0],
    lower: m[0].toLowerCase(),
    start: m.index,
    end: m.index + m[0].length,
  }));
}

interface KnownEntry {
  words: string[];
  lowerWords: string[];
  kind: IdentifierKind;
}

/**
 * Known identifiers compiled once into a matcher (a value index can hold thousands of names), plus
 * the built-in patterns. Known values are matched word by word, indexed by their first word, so the
 * cost grows with the text, not with the number of names.
 *
 * @example new IdentifierMatcher(['Jane Roe']).kinds('seen: jane roe') // => ['NAME']
 */
export class IdentifierMatcher {
  /** First word (lower case) → entries starting with it, longest first. */
  private readonly byFirstWord = new Map<string, KnownEntry[]>();
  /** Words the product knows (member titles, synonyms, indexed values): never part of a name by shape. */
  private readonly vocabulary: ReadonlySet<string>;

  /**
   * `base`: a matcher built once from a large index (every name in the lake), consulted as well,
   * so a turn does not rebuild it.
   */
  constructor(
    known: Iterable<KnownIdentifier> = [],
    vocabulary: Iterable<string> = [],
    private readonly base?: IdentifierMatcher,
  ) {
    this.vocabulary = new Set([...vocabulary].flatMap((v) => tokens(v).map((t) => t.lower)));
    const seen = new Set<string>();
    for (const k of known) {
      const value = (typeof k === 'string' ? k : k.value).trim();
      const words = tokens(value).map((t) => t.text);
      const key = words.join(' ').toLowerCase();
      if (value.length < MIN_KNOWN_LENGTH || words.length === 0 || seen.has(key)) continue;
      seen.add(key);
      const entry = {
        words,
        lowerWords: words.map((w) => w.toLowerCase()),
        kind: typeof k === 'string' ? 'NAME' : (k.kind ?? 'NAME'),
      } satisfies KnownEntry;
      const list = this.byFirstWord.get(entry.lowerWords[0]!) ?? [];
      list.push(entry);
      this.byFirstWord.set(entry.lowerWords[0]!, list);
    }
    // Longest first, so "Ann Lee Smith" is taken whole before "Ann Lee".
    for (const list of this.byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
  }

  private knownSpans(text: string, strongOnly: boolean): Span[] {
    if (this.byFirstWord.size === 0 && !this.base) return [];
    const spans: Span[] = [];
    const toks = tokens(text);
    for (let i = 0; i < toks.length; i++) {
      const candidates = this.candidates(toks[i]!.lower);
      if (!candidates) continue;
      for (const c of candidates) {
        if (i + c.words.length > toks.length) continue;
        let ok = true;
        for (let j = 0; j < c.words.length && ok; j++) {
          const t = toks[i + j]!;
          // In outbound checks a one-word name must match its case ("Will", not "will").
          ok = strongOnly && c.words.length === 1 ? t.text === c.words[j] : t.lower === c.lowerWords[j];
          // Words of one identifier sit next to each other: spaces or light punctuation only.
          if (ok && j > 0) ok = /^[\s,]{1,3}$/.test(text.slice(toks[i + j - 1]!.end, t.start));
        }
        if (ok) {
          const last = toks[i + c.words.length - 1]!;
          spans.push({ start: toks[i]!.start, end: last.end, kind: c.kind });
          i += c.words.length - 1;
          break;
        }
      }
    }
    return spans;
  }

  /** Entries starting with this word, here and in the base matcher, longest first. */
  private candidates(first: string): KnownEntry[] | undefined {
    const own = this.byFirstWord.get(first);
    const inherited = this.base?.candidates(first);
    if (!own || !inherited) return own ?? inherited;
    return [...own, ...inherited].sort((a, b) => b.words.length - a.words.length);
  }

  /** Identifier spans in `text`, earliest first, never overlapping. */
  spans(text: string, options: { strongOnly: boolean }): Span[] {
    const spans: Span[] = this.knownSpans(text, options.strongOnly);
    const taken = (s: number, e: number) => spans.some((x) => s < x.end && e > x.start);
    for (const d of DETECTORS) {
      if (options.strongOnly && !d.strong) continue;
      for (const m of text.matchAll(d.pattern)) {
        const end = m.index + m[0].length;
        if (d.accept && !d.accept(m[0])) continue;
        if (d.nameShaped && tokens(m[0]).some((t) => this.vocabulary.has(t.lower))) continue;
        if (!taken(m.index, end)) spans.push({ start: m.index, end, kind: d.kind });
      }
    }
    return spans.sort((a, b) => a.start - b.start);
  }

  /** The kinds of identifier still present: known ones and unambiguous patterns (see findStrongIdentifiers). */
  kinds(text: string): IdentifierKind[] {
    return this.spans(text, { strongOnly: true }).map((s) => s.kind);
  }

  /** `text` with every known identifier and unambiguous pattern replaced by `mark`. */
  redact(text: string, mark = '[REDACTED]'): string {
    let out = '';
    let at = 0;
    for (const s of this.spans(text, { strongOnly: true })) {
      out += text.slice(at, s.start) + mark;
      at = s.end;
    }
    return out + text.slice(at);
  }
}

/**
 * Replace identifiers in `text` with placeholders such as [NAME_1] and [SSN_1]. The same value
 * always gets the same placeholder, across turns when `placeholders` from earlier turns are passed.
 *
 * @example
 * const { text, placeholders } = replaceIdentifiers('visits for Jane Roe, SSN 123-45-6789', { known: ['Jane Roe'] });
 * // text === 'visits for [NAME_1], SSN [SSN_1]'
 */
export function replaceIdentifiers(
  text: string,
  options: { known?: Iterable<KnownIdentifier> | IdentifierMatcher; placeholders?: PlaceholderMap } = {},
): { text: string; placeholders: PlaceholderMap } {
  const placeholders: PlaceholderMap = { ...(options.placeholders ?? {}) };
  const byValue = new Map<string, string>();
  for (const [p, v] of Object.entries(placeholders)) byValue.set(v.toLowerCase(), p);
  const matcher =
    options.known instanceof IdentifierMatcher ? options.known : new IdentifierMatcher(options.known ?? []);
  const spans = matcher.spans(text, { strongOnly: false });
  let out = '';
  let at = 0;
  for (const span of spans) {
    const original = text.slice(span.start, span.end);
    let placeholder = byValue.get(original.toLowerCase());
    if (!placeholder) {
      let n = Object.keys(placeholders).filter((p) => p.startsWith(`[${span.kind}_`)).length + 1;
      // Never mint a placeholder that already occurs literally in the question.
      while (`[${span.kind}_${n}]` in placeholders || text.includes(`[${span.kind}_${n}]`)) n++;
      placeholder = `[${span.kind}_${n}]`;
      placeholders[placeholder] = original;
      byValue.set(original.toLowerCase(), placeholder);
    }
    out += text.slice(at, span.start) + placeholder;
    at = span.end;
  }
  return { text: out + text.slice(at), placeholders };
}

/**
 * Put the original values back wherever placeholders occur: in the model's answer, and in its
 * tool arguments before they are run locally. Walks arrays and plain objects.
 *
 * @example restore({ values: ['[NAME_1]'] }, { '[NAME_1]': 'Jane Roe' }) // => { values: ['Jane Roe'] }
 */
export function restore<T>(value: T, placeholders: PlaceholderMap): T {
  const keys = Object.keys(placeholders);
  if (keys.length === 0) return value;
  const pattern = new RegExp(keys.map(escapeRegExp).join('|'), 'g');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(pattern, (p) => placeholders[p] ?? p);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * The kinds of identifier still present in `text`: known identifiers and unambiguous patterns
 * (SSN, email, phone, UUID, labelled record numbers, URLs, IP addresses). Dates and bare numbers are
 * left out: prompts legitimately carry today's date and aggregate figures.
 *
 * @example findStrongIdentifiers('call 555-123-4567') // => ['PHONE']
 */
export function findStrongIdentifiers(text: string, known: Iterable<KnownIdentifier> = []): IdentifierKind[] {
  return new IdentifierMatcher(known).kinds(text);
}
