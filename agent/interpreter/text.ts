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
  get find display see know want need let lets much many were many about across among during within over
  where through thru via them they he she him her his hers its their theirs`
    .split(/\s+/)
    .filter(Boolean),
);

/**
 * Lower-case word tokens: letters and digits, a decimal number whole ("12500.50"); apostrophes
 * dropped ("patient's" → "patients").
 */
export function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      // A possessive says whose, not a word of its own ("Reynolds644's" is the name "Reynolds644").
      .replace(/(?<=[a-z0-9])[’']s\b/g, '')
      .replace(/[’']/g, '')
      .match(/\d+\.\d+|[a-z0-9]+/g) ?? []
  );
}

/**
 * Phrases that carry no meaning in a question about data ("on file", "in our system", "i.e.",
 * "please"): read as nothing. Only phrases whose every word is grammar or a place the data lives;
 * a word that could name a member or value ("records" of a cube called records) is never here.
 */
const FILLER = [
  'on file',
  'on record',
  'in the data',
  'in our data',
  'in the dataset',
  'in our dataset',
  'in the data set',
  'in the system',
  'in our system',
  'in the database',
  'in our database',
  'in the records',
  'in our records',
  'in the lake',
  'i e',
  'ie',
  'e g',
  'eg',
  'please',
  'pls',
  'plz',
  'thanks',
  'thank you',
  'thanks in advance',
  'thx',
  'cheers',
  'kindly',
  // Question scaffolding: how a person leads into the question, not what it asks.
  'i m curious',
  'im curious',
  'i am curious',
  'just curious',
  'out of curiosity',
  'i wonder',
  'i was wondering',
  'i m wondering',
  'im wondering',
  'do you know',
  'do you happen to know',
  'can you tell me',
  'could you tell me',
  'tell me',
  'i need to know',
  'i want to know',
  'i d like to know',
  'id like to know',
  'i would like to know',
  'let me know',
  'any idea',
  'quick question',
  'help me',
  'figure out',
  'find out',
  'look up',
  'pull up',
  'pull',
  // "at some point", "of all time": no period of their own (a period is named with a date).
  'at some point',
  'at any point',
  'at any time',
  'at some time',
  'of all time',
  'for all time',
  'over all time',
  'all time',
  // Every year of the data: no period, the same as naming none.
  'all years',
  'all the years',
  'all of the years',
  'all dates',
  'all periods',
  'any year',
  'any period',
  'of all types',
  'of all kinds',
  // Phrasal verbs of giving and doing: the record's own verb, not something to filter on.
  'give out',
  'gave out',
  'given out',
  'giving out',
  'hand out',
  'handed out',
  'handing out',
  'carry out',
  'carried out',
  'carrying out',
  'come in',
  'came in',
  'coming in',
  'comes in',
  'come through',
  'came through',
  'go through',
  'went through',
  'gone through',
  // Verbs of dealing with what is counted: the record's own verb, not something to filter on.
  'handled',
  'handling',
  'utilizing',
  'utilized',
  'utilising',
  'utilised',
  'summed up',
  'summed',
  'added up',
  'just',
  'simply',
  'basically',
  'actually',
  'located',
  'situated',
  'live in',
  'lives in',
  'living in',
  'reside in',
  'resides in',
  'residing in',
  'based',
  'quick',
  'quickly',
  'i would like',
  'i d like',
  'id like',
  'can you',
  'could you',
  'would you',
  'we ve got',
  'we have got',
  'weve got',
  'weve',
  'we ve',
  'ive',
  'i ve',
  'got',
  // Presence in the data said as a verb: "codes that appear in immunizations".
  'appear in',
  'appears in',
  'appeared in',
  'appearing in',
  'show up in',
  'shows up in',
  'showed up in',
  'show up on',
  'shows up on',
  'showed up on',
  'turn up in',
  'turns up in',
];

/** Number words people write for counts; "one" only where a count is expected (see below). */
const NUMBER_WORDS: Record<string, number> = {
  zero: 0,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

const SCALE: Record<string, number> = {
  hundred: 100,
  k: 1e3,
  thousand: 1e3,
  grand: 1e3,
  m: 1e6,
  mn: 1e6,
  million: 1e6,
  millions: 1e6,
  b: 1e9,
  bn: 1e9,
  billion: 1e9,
};

const COMPARING = '(?:least|most|than|over|under|above|below|exceeding|exactly|top|bottom|only|just)';

function asNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/**
 * A question with numbers as digits and filler read as nothing: "$10,000" → "10000", "10k" →
 * "10000", "1.5 million" → "1500000", "a dozen" → "12", "more than two" → "more than 2", "at least
 * one" → "at least 1"; "we've", "please", "on file", "in our system" and "using the X table" (→ "X")
 * dropped. Dates are left as written for the time reader. Idempotent.
 *
 * @example normalizeQuestion('visits costing over $10,000 on file') // 'visits costing over 10000 '
 */
/** Words that widen a named thing to all its kinds: "of any stage", "any type of", "all forms of". */
const BREADTH =
  /\b(?:(?:of|in|at)\s+)?any\s+(?:kinds?|types?|sorts?|forms?|stages?|grades?|severity|degree|class|variety)(?:\s+of)?\b|\ball\s+(?:kinds|types|sorts|forms|stages|grades|varieties|classes)\s+of\b/gi;

export function normalizeQuestion(text: string): string {
  let q = ` ${text.replace(/[’]/g, "'")} `;
  // Contractions: "we've" → "we have", "don't" → "do not" (the apostrophe would glue the words).
  q = q
    .replace(/\b(\w+)n't\b/gi, '$1 not')
    .replace(/\b(\w+)'ve\b/gi, '$1 have')
    .replace(/\b(\w+)'re\b/gi, '$1 are')
    .replace(/\b(\w+)'d\b/gi, '$1 would')
    .replace(/\b(\w+)'ll\b/gi, '$1 will');
  // "A as well as B", "A along with B": two things, as "and" says (not "well" of some value).
  q = q.replace(/\b(?:as well as|along with|together with|in addition to)\b/gi, ' and ');
  // "the summed charge": the total charge, as the model's totals are named.
  q = q.replace(/\bsummed\b(?!\s+(?:by|up|over|across|per|for|in|on)\b)/gi, 'total');
  // "what did the refills cost": how much they cost, an amount (not "what" of a list).
  q = q.replace(
    /\bwhat\s+(did|do|does)\s+([a-z][a-z\s-]{0,60}?)\s+cost\b(?!\s+(?:of|per)\b)/gi,
    'how much $1 $2 cost',
  );
  // "of any stage", "any type of", "all kinds of": every value holding the words named, which
  // words inside values already take — said only to widen, with nothing of their own to place.
  q = q.replace(BREADTH, ' ');
  // "i.e.", "e.g." before their dots go.
  q = q.replace(/\b(i\.e|e\.g)\.?(?=\W)/gi, ' ');
  // Money and thousands separators: "$10,000.50" → "10000.50".
  q = q.replace(/[$£€]\s?(?=\d)/g, ' ');
  for (let i = 0; i < 3; i++) q = q.replace(/(\d),(\d{3})(?!\d)/g, '$1$2');
  // An age or amount bound said around its number ("65 and over", "65+", "older than 65", "aged
  // 18 or younger"): one bound before the number, as the readers take it; "older", "younger",
  // "years old" say the bound is of an age ("aged", which a model names its age member by).
  q = ageBounds(q);
  // A dose written with its unit ("10mg", "0.5ml"): the number and the unit, as stored values spell them.
  q = q.replace(/\b(\d+(?:\.\d+)?)(mg|mcg|ml|iu)\b/gi, '$1 $2');
  // "a dozen", "two dozen", "half a dozen".
  q = q
    .replace(/\bhalf an? dozen\b/gi, ' 6 ')
    .replace(/\b(?:an?|one)\s+dozen\b/gi, ' 12 ')
    .replace(/\b(\d+)\s+dozens?\b/gi, (_, n: string) => ` ${Number(n) * 12} `)
    .replace(/\b(?:a\s+)?couple(?: of)?\b(?=\s+(?:days|weeks|months|quarters|years)\b)/gi, ' 2 ')
    .replace(/\ba couple(?: of)?\b/gi, ' 2 ')
    // Units of time abbreviated: "last qtr", "past 2 yrs".
    .replace(/\bqtrs\b/gi, 'quarters')
    .replace(/\bqtr\b/gi, 'quarter')
    .replace(/(?<=\d\s*|\b(?:last|past|previous|this|per|a|each)\s+)yrs\b/gi, 'years')
    .replace(/(?<=\d\s*|\b(?:last|past|previous|this|per|a|each)\s+)yr\b/gi, 'year')
    .replace(/\b(?:a|one) (hundred|thousand|million|billion)\b/gi, ' 1 $1');
  // Number words; "twenty five" → 25; "one" only after a comparison ("at least one").
  q = q.replace(
    /\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](one|two|three|four|five|six|seven|eight|nine)\b/gi,
    (_, tens: string, ones: string) =>
      ` ${(NUMBER_WORDS[tens.toLowerCase()] ?? 0) + (ones.toLowerCase() === 'one' ? 1 : (NUMBER_WORDS[ones.toLowerCase()] ?? 0))} `,
  );
  q = q.replace(new RegExp(String.raw`\b(${COMPARING}(?:\s+than)?)\s+(one|a single)\b`, 'gi'), '$1 1');
  q = q.replace(
    /\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b(?![\s-]*(?:item|year-old|years? old))/gi,
    (w: string) => ` ${NUMBER_WORDS[w.toLowerCase()]} `,
  );
  // Scales: "10k", "1.5 million", "2.5m" after money or with a space-free suffix.
  q = q.replace(
    /(?<![\w.-])(\d+(?:\.\d+)?)\s*(k|hundred|thousand|grand|mn|millions?|bn|billion)\b/gi,
    (_, n: string, unit: string) => ` ${asNumber(Number(n) * (SCALE[unit.toLowerCase()] ?? 1))} `,
  );
  // A currency said after the amount ("30000 dollars") is the amount's unit, not a word to place.
  q = q.replace(/(\d)\s*(?:dollars?|usd|bucks|euros?|eur|pounds?|gbp)\b/gi, '$1');
  // A currency said without an amount is the unit of the figure asked for, not a word to place:
  // "how many dollars" asks how much; "total dollars of claim cost", "in dollars" say the unit.
  q = q
    .replace(/\bhow\s+many\s+(?:dollars|bucks|euros|pounds)\b/gi, ' how much ')
    .replace(/\b(?:in|into)\s+(?:us\s+)?(?:dollars|usd|euros|eur|pounds|gbp)\b/gi, ' ')
    .replace(/(?<!\d\s*)\b(?:dollars?|usd|bucks)\b(?!\s*\d)/gi, ' ');
  // "the single most expensive visit": one record, said as "the most expensive single visit" (the
  // quality of money or time goes before "single", as the statistics reader reads it).
  q = q.replace(
    /\b(single|individual)\s+((?:most|least)\s+(?:expensive|costly|pricey)|cheapest|costliest|priciest|longest|shortest|quickest)\b/gi,
    '$2 $1',
  );
  // Cost said as a quality: "the most expensive", "costliest", "cheapest" rank by cost — unless
  // both ends are asked together ("cheapest and most expensive visit": the minimum and maximum).
  if (!(new RegExp(HIGH_WORDS, 'i').test(q) && new RegExp(LOW_WORDS, 'i').test(q)))
    q = q
      .replace(new RegExp(COST_HIGH, 'gi'), ' the highest cost ')
      .replace(new RegExp(COST_LOW, 'gi'), ' the lowest cost ');
  // "record ids", "identifiers": the id of the records named.
  q = q
    .replace(/\b(?:record\s+)?(?:identifiers|ids)\b/gi, ' ids ')
    .replace(/\b(?:record\s+)?identifier\b/gi, ' id ');
  q = q.replace(/\brecord\s+id\b/gi, ' id ');
  // "most commonly assigned": how common, said as an adverb.
  q = q.replace(/\b(most|least)\s+commonly\b/gi, '$1 common');
  // "the encounter mix by class", "payer mix": how the rows split, a breakdown.
  q = q.replace(/\bmix\b/gi, ' breakdown ');
  // "20 dozen" after number words.
  q = q.replace(/\b(\d+)\s+dozens?\b/gi, (_, n: string) => ` ${Number(n) * 12} `);
  // "using the encounters table": the words before "table" name the cube; the rest is filler.
  q = q.replace(
    /\b(?:using|from|in|on|with|query|use)\s+(?:the\s+|our\s+)?([a-z][\w ]{0,40}?)\s+(?:table|cube|dataset)s?\b/gi,
    ' $1 ',
  );
  q = q.replace(/\b(?:the\s+)?(?:table|cube)\b/gi, ' ');
  // "according to the records" says where, "according to encounter class" how to group.
  q = q.replace(/\baccording\s+to\s+(?:the\s+|our\s+)?(?:data(?:set|base)?|records?|system|files?)\b/gi, ' ');
  q = q.replace(/\baccording\s+to\b/gi, ' by ');
  // "per the payer file", "per our records": where the figure is kept, not a breakdown.
  q = q.replace(
    /\b(?:per|as per)\s+(?:the\s+|our\s+)?(?:[a-z]+\s+)?(?:file|files|records|data|database|system|table)\b/gi,
    ' ',
  );
  // "more than 100 times": a count said with its unit ("3 times the average" keeps it).
  q = q.replace(
    /\b((?:more|fewer|less)\s+than|at\s+least|at\s+most|over|under|above|below|exactly)\s+(\d+)\s+times\b(?!\s+(?:as|the|more|less|higher|lower|larger|greater|bigger|smaller))/gi,
    '$1 $2',
  );
  // "at least once" is "ever"; "more than once" is "more than 1".
  q = q.replace(/\bat\s+least\s+once\b/gi, ' ever ').replace(/\bmore\s+than\s+once\b/gi, ' more than 1 ');
  // Cost compared as a quality: "pricier than 500" is "costing more than 500" (superlatives such
  // as "cheapest" are read by the statistics reader).
  q = q
    // Only before an amount: "cheaper than the ER" compares two groups (compare.ts).
    .replace(/\b(?:more\s+expensive|pricier|costlier)\s+than\b(?=\s*\$?\d)/gi, ' costing more than ')
    .replace(/\b(?:less\s+expensive|cheaper)\s+than\b(?=\s*\$?\d)/gi, ' costing less than ');
  // "exceeds 1000": the comparison said as a verb.
  q = q.replace(/\b(?:exceeds|exceeded|exceed)\s+(?=\d)/gi, ' over ');
  // A title before a name ("Dr. Reilly", "Dr Ted Reilly") is not a word of the name.
  q = q.replace(/(?<![\w.])dr\.?\s+(?=[a-z])/gi, ' ');
  // "to date" alone says up to now, which every row is: read as nothing ("year to date", "up to
  // date" and "from 2019 to date" keep theirs).
  q = q.replace(/(?<!(?:\b(?:year|month|quarter|week|up)|\d)[\s-]*)\bto[\s-]+date\b/gi, ' ');
  const lower = q.toLowerCase();
  let out = '';
  // Filler phrases, by whole words (so "just" goes, "justice" stays).
  const marks = new Array<boolean>(q.length).fill(false);
  for (const phrase of FILLER) {
    const re = new RegExp(`(?<![a-z0-9])${phrase.replace(/ /g, String.raw`[\s.']+`)}(?![a-z0-9])`, 'g');
    for (let m = re.exec(lower); m; m = re.exec(lower))
      for (let i = 0; i < m[0].length; i++) marks[m.index + i] = true;
  }
  for (let i = 0; i < q.length; i++) out += marks[i] ? ' ' : q[i];
  return out.replace(/\s+/g, ' ').trim();
}

/** A figure of money named after the quality ("most expensive single visit charge"): the statistic of it. */
const FIGURE_NAMED = String.raw`(?!(?:\s+[a-z'-]+){0,4}?\s+(?:costs?|charges?|prices?|amounts?|fees?|bills?|spend|spending|expenses?)\b)`;
const HIGH_WORDS = String.raw`\b(?:the\s+)?(?:most\s+expensive|costliest|priciest|most\s+costly)\b`;
const LOW_WORDS = String.raw`\b(?:the\s+)?(?:least\s+expensive|cheapest|least\s+costly|lowest\s+priced)\b`;
const COST_HIGH = HIGH_WORDS + FIGURE_NAMED;
const COST_LOW = LOW_WORDS + FIGURE_NAMED;

/**
 * Whether a question says cost as a quality ("the most expensive procedure", "cheapest"): it
 * names no aggregation, so a total and an average cost are equally what it may mean.
 *
 * @example saysCostQuality('which procedure is the most expensive') // true
 */
export function saysCostQuality(text: string): boolean {
  return new RegExp(`${COST_HIGH}|${COST_LOW}`, 'i').test(text);
}

/**
 * The question with cost said as a quality replaced by the figure chosen for it: how a choice
 * between a total and an average cost is asked again.
 *
 * @example restateCostQuality('the most expensive procedure', 'average base cost') // 'the highest average base cost procedure'
 */
export function restateCostQuality(text: string, figure: string): string {
  return text
    .replace(new RegExp(COST_HIGH, 'gi'), (m) => `${/^the\b/i.test(m) ? 'the ' : ''}highest ${figure}`)
    .replace(new RegExp(COST_LOW, 'gi'), (m) => `${/^the\b/i.test(m) ? 'the ' : ''}lowest ${figure}`)
    .replace(/\s+/g, ' ')
    .trim();
}

/** Plural and common suffixes, enough to match "encounters" with "encounter". */
export function stem(word: string): string {
  // "ids": the plural of a two-letter word the rules below leave alone.
  if (word === 'ids') return 'id';
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
  // A plural noun made from a verb ("findings", "listings") is content, though "find" is not.
  return !STOP.has(t.word) && (!STOP.has(t.stem) || t.word.endsWith('ings'));
}

/** Stemmed content words of a text (member titles, synonyms, descriptions). */
export function contentStems(text: string): string[] {
  return tokenize(text.replace(/_/g, ' '))
    .filter(isContent)
    .map((t) => t.stem);
}

/**
 * "65 and over", "65+", "65 years and older" → "at least 65"; "18 and under" → "at most 18";
 * "older than 65" → "aged over 65"; "younger than 18" → "aged under 18"; "70 years old" → "aged 70".
 * Words of age ("older", "years old") keep "aged" before the bound unless said already.
 *
 * @example ageBounds('patients 65 and over') // 'patients at least 65'
 */
export function ageBounds(text: string): string {
  const aged = (before: string, bound: string) =>
    /\b(?:aged?|ages)\s*$/i.test(before) ? bound : `aged ${bound}`;
  return text
    .replace(
      /\b(\d+)\s*(?:\+|(?:years?\s+(old\s+|of\s+age\s+)?)?(?:and|or)\s+(over|older|above|up|upwards|under|younger|below))(?![\w+])/gi,
      (said, n: string, old: string | undefined, word: string | undefined, at: number, all: string) => {
        const low = /^(?:under|younger|below)$/i.test(word ?? '');
        const bound = `${low ? 'at most' : 'at least'} ${n}`;
        const age = Boolean(old) || /^(?:older|younger)$/i.test(word ?? '') || /years?/i.test(said);
        return age ? aged(all.slice(0, at), bound) : bound;
      },
    )
    .replace(
      /\b(older|younger)\s+than\s+(\d+)(?:\s+years?(?:\s+old|\s+of\s+age)?)?\b/gi,
      (_, w: string, n: string) => `aged ${/^older$/i.test(w) ? 'over' : 'under'} ${n}`,
    )
    .replace(/\b(\d+)\s+years?\s+(?:old|of\s+age)\b/gi, (_, n: string, at: number, all: string) =>
      aged(all.slice(0, at), n),
    );
}

/**
 * A bound named back in a question back ("at least 65"), in the words the question said it
 * ("65 and over", "65+", "older than 65"), when they can be found; else as read.
 *
 * @example boundAsSaid('at least 65', 'living patients 65 and over with …') // '65 and over'
 */
export function boundAsSaid(read: string, asked: string): string {
  const n =
    /^(?:aged\s+)?(?:at least|at most|over|under|more than|less than|fewer than)\s+(\d+(?:\.\d+)?)$/i.exec(
      read,
    )?.[1];
  if (!n) return read;
  const said = new RegExp(
    `(?:\\b(?:aged?|older than|younger than|over|under|above|below|at least|at most|more than|less than|fewer than)\\s+)?\\b${n.replace('.', '\\.')}(?:\\s*\\+|\\s+(?:years?\\s+(?:old\\s+|of\\s+age\\s+)?)?(?:and|or)\\s+(?:over|older|above|up|upwards|under|younger|below|more|fewer|less)\\b|\\s+years?\\s+(?:old|of\\s+age)\\b)?`,
    'i',
  ).exec(asked)?.[0];
  return said && /\D/.test(said) ? said.trim() : read;
}

/** A question back names a bound it could not place in the words the question said it. */
export function boundsAsSaid<T extends { kind: string }>(r: T, asked: string): T {
  if (r.kind !== 'clarify') return r;
  const c = r as unknown as { message: string; unplaced?: string[] };
  if (!c.unplaced?.length) return r;
  let message = c.message;
  const unplaced = c.unplaced.map((w) => {
    const said = boundAsSaid(w, asked);
    if (said !== w) message = message.replace(`"${w}"`, `"${said}"`);
    return said;
  });
  return { ...r, message, unplaced };
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

/**
 * Where a phrase (its stems, in order) is spelled by tokens still free to place: their indexes, or
 * undefined. Tokens are in question order and indexed by position.
 */
export function freePhrase(
  tokens: readonly Token[],
  free: ReadonlySet<number>,
  stems: readonly string[],
): number[] | undefined {
  for (const t of tokens) {
    if (!free.has(t.index) || t.stem !== stems[0]) continue;
    const run = stems
      .map((_s, k) => tokens[t.index + k])
      .filter((x, k): x is Token => x !== undefined && free.has(x.index) && x.stem === stems[k]);
    if (run.length === stems.length) return run.map((x) => x.index);
  }
  return undefined;
}

/** Words that deny what follows them ("no end date", "not ended", "without a stop"). */
const DENIAL = new Set(['no', 'not', 'without', 'never', 'none']);

/** Words that may stand between a denial and what it denies ("has not yet", "without an"). */
const BETWEEN_DENIAL = new Set([
  'a',
  'an',
  'the',
  'any',
  'yet',
  'been',
  'be',
  'being',
  'ever',
  'had',
  'have',
  'has',
]);

/**
 * The denial said right before the word at `first` ("no" of "no end date", "not yet" of "not yet
 * ended"): its index, or undefined. A state the model names ("ended") read without it would say
 * the opposite of the question.
 *
 * @example deniedAt(tokenize('care plans with no end'), 4) // 3
 */
export function deniedAt(tokens: readonly Token[], first: number): number | undefined {
  for (let k = first - 1; k >= 0 && k >= first - 3; k--) {
    const t = tokens[k];
    if (!t) return undefined;
    if (DENIAL.has(t.word)) return k;
    if (!BETWEEN_DENIAL.has(t.word)) return undefined;
  }
  return undefined;
}

/** An id written as a UUID (every match: the pattern is global). */
export const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
