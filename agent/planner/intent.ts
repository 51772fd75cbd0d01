import { claim, type Token } from './tokens.ts';

/** What kind of answer the words ask for, apart from which members. */
export interface Intent {
  /** A request to change data or permissions: never planned. */
  write: boolean;
  count: boolean;
  list: boolean;
  agg?: 'avg' | 'sum' | 'count' | undefined;
  top?: { limit: number; direction: 'asc' | 'desc'; explicit: boolean } | undefined;
  /** Content tokens after "by", "per", "for each", …: what to group by (or rank by, with an aggregation word). */
  groups: Array<{ tokens: number[]; aggregate: boolean }>;
  /** "what kinds of …": distinct values, not one row per record. */
  kinds: boolean;
  /** "men vs women": two values of one dimension to set side by side. */
  compare: boolean;
  /** Safe Harbor identifiers the question asks for (by kind), e.g. ['ssn']. */
  identifiers: string[];
  /** The noun phrase after "how many" / "number of": what is counted (its last word most). */
  counted?: number[] | undefined;
  /** "percent", "share", "rate", "ratio": a proportion is wanted. */
  ratio: boolean;
  /** First content token after "most" / "fewest" (the ranked measure's subject). */
  rankedBy?: number | undefined;
}

const WRITE =
  /^\s*(?:please\s+|can you\s+|could you\s+|now\s+|run\s+)?(?:delete|drop|truncate|update|insert|alter|create|grant|revoke|remove|modify|change|set|merge|replace|erase|wipe|overwrite|rename|add)\b|\b(?:drop|truncate|alter)\s+table\b|\bdelete\s+from\b/i;
const COUNT = /\b(how many|number of|count of|count|total number|no\. of|# of|volume|how often)\b/;
const LIST =
  /^\s*(?:list|which|who|name the|enumerate|show (?:me )?(?:the |all |our )?|what (?:are|were) (?:the |our |all )?(?!\d)|what (?:kinds?|types?|sorts?) of)|^\s*what\b.*\b(?:are there\b|do we (?:see|have|give|use|offer)\b)/;
const AVG = /\b(average|avg|mean|typical|on average|per (?:patient|visit|encounter|person))\b/;
const SUM = /\b(total|sum|overall|combined|aggregate|how much|spend|spent)\b/;
const TOP_WORD =
  /\b(top|bottom|highest|lowest|most|least|largest|smallest|biggest|fewest|leading|busiest|commonest)\b/;
const DOWN_WORDS = /^(bottom|lowest|least|smallest|fewest)$/;
const GROUP_START = new Set(['by', 'per', 'across', 'each', 'every']);
const GROUP_STOP = new Set([
  'in',
  'for',
  'with',
  'during',
  'since',
  'from',
  'between',
  'where',
  'order',
  'sorted',
  'top',
  'over',
  'last',
  'this',
  'who',
  'that',
  'which',
  'vs',
  'versus',
  'only',
  'whose',
  'among',
  'show',
]);
/** Safe Harbor identifiers by the words people use for them. */
const IDENTIFIER_WORDS: Array<[string, RegExp]> = [
  ['ssn', /\b(ssns?|social security(?: numbers?)?)\b/],
  [
    'name',
    /\b(?:patients?'?s?|their|first|last|full|given|family|maiden)\s+(?:first\s+and\s+last\s+)?names?\b|\bnames? of (?:the |our )?patients?\b|\bpatient names?\b/,
  ],
  ['address', /\b(addresses|address|street|home address)\b/],
  ['birthdate', /\b(birth ?dates?|dates? of birth|dob|birthdays?)\b/],
  ['zip', /\b(zip(?: ?codes?)?|postal codes?)\b/],
  ['phone', /\b(phone(?: numbers?)?|telephone)\b/],
  ['email', /\b(e-?mails?(?: addresses)?)\b/],
  ['passport', /\b(passports?(?: numbers?)?)\b/],
  ['licence', /\b(driver'?s? licen[cs]es?|licen[cs]e numbers?)\b/],
  ['mrn', /\b(mrns?|medical record numbers?)\b/],
];

/**
 * Read the intent words of a question (lower-cased, time phrases removed) and claim them, so they
 * never pick a member: counts, lists, aggregations, top/bottom N, groupings, comparisons, and any
 * identifiers asked for.
 */
export function readIntent(question: string, text: string, tokens: Token[]): Intent {
  const q = question.toLowerCase();
  const intent: Intent = {
    write: WRITE.test(q),
    count: COUNT.test(` ${text} `),
    list: false,
    groups: [],
    kinds: /\b(?:kinds?|types?|sorts?) of\b/.test(q),

    compare: /\b(vs\.?|versus|compared (?:to|with)|against)\b/.test(text),
    ratio: /\b(percent|percentage|share|proportion|ratio|rate|fraction)\b/.test(q),
    identifiers: IDENTIFIER_WORDS.filter(([, re]) => re.test(q)).map(([k]) => k),
  };
  intent.list = LIST.test(q) && !intent.count;
  intent.agg = /\btotal number\b/.test(text)
    ? 'count'
    : AVG.test(text)
      ? 'avg'
      : intent.count
        ? 'count'
        : SUM.test(text)
          ? 'sum'
          : undefined;

  const idx = (word: string) => tokens.findIndex((t) => t.word === word);
  // Top / bottom N: "top 5", "5 most common", "the 3 least", "which payer … the most".
  const top = TOP_WORD.exec(text);
  if (top) {
    const word = top[1] as string;
    const at = idx(word);
    const after = tokens[at + 1]?.word ?? '';
    const before = tokens[at - 1]?.word ?? '';
    const n = /^\d{1,3}$/.test(after) ? Number(after) : /^\d{1,3}$/.test(before) ? Number(before) : undefined;
    const anyN = /\b(?:top|which|what (?:are|were) the|the)\s+(\d{1,3})\b/.exec(text)?.[1];
    const limit = n ?? (anyN ? Number(anyN) : undefined);
    const subject = /^\s*(?:which|what)\s+(?!are\b|were\b|is\b|was\b|do\b|does\b|did\b)([a-z]+)\b/.exec(
      q,
    )?.[1];
    const singular = subject !== undefined && !subject.endsWith('s');
    intent.top = {
      limit: limit ?? (word === 'top' || word === 'bottom' ? 10 : singular ? 1 : 10),
      direction: DOWN_WORDS.test(word) ? 'asc' : 'desc',
      explicit: limit !== undefined,
    };
    if (at >= 0) {
      claim(tokens, [at]);
      for (const k of [at - 1, at + 1]) if (/^\d{1,3}$/.test(tokens[k]?.word ?? '')) claim(tokens, [k]);
      if (/^(most|least|fewest)$/.test(word)) {
        const next = tokens.findIndex((t, k) => k > at && t.content && !t.used);
        if (next >= 0) intent.rankedBy = next;
      }
    }
    if (anyN) claim(tokens, [tokens.findIndex((t) => t.word === anyN)]);
  }

  // Groupings: words after "by", "per", "for each", … up to a boundary or the next grouping.
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (!GROUP_START.has(t.word) || t.used) continue;
    claim(tokens, [i]);
    let group: number[] = [];
    let aggregate = false;
    const flush = () => {
      if (group.length) intent.groups.push({ tokens: group, aggregate });
      group = [];
      aggregate = false;
    };
    for (let k = i + 1; k < tokens.length; k++) {
      const w = tokens[k] as Token;
      if (GROUP_STOP.has(w.word) || GROUP_START.has(w.word) || /^\d+$/.test(w.word)) break;
      if (w.word === 'and' || w.word === 'or') {
        flush();
        continue;
      }
      if (/^(number|count|average|avg|mean|total|sum|amount)$/.test(w.word)) aggregate = true;
      if (w.content) group.push(k);
    }
    flush();
  }

  // What is counted: the first content word after "how many", "number of", "count".
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]?.word;
    const next = tokens[i + 1]?.word;
    const start =
      (w === 'how' && next === 'many') ||
      (next === 'of' && (w === 'number' || w === 'count' || w === 'volume'))
        ? i + 2
        : w === 'count'
          ? i + 1
          : -1;
    if (start < 0) continue;
    let k = tokens.findIndex((t, j) => j >= start && t.content && !t.used);
    const phrase: number[] = [];
    while (k >= 0 && k < tokens.length && tokens[k]?.content) phrase.push(k++);
    if (phrase.length) intent.counted = phrase;
    break;
  }
  return intent;
}
