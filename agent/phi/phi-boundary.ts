import type { PhiLevel } from '../endpoints.ts';
import { quoteData } from './data-block.ts';
import { PhiError } from './errors.ts';
import {
  IdentifierMatcher,
  type KnownIdentifier,
  type PlaceholderMap,
  replaceIdentifiers,
  restore,
} from './identifiers.ts';
import { type BoundaryColumn, deidentifyRows, SMALL_CELL_MIN, toPlain } from './safe-harbor.ts';

export interface PhiBoundaryOptions {
  /** The endpoint's `phi` level: what may be sent. */
  level: PhiLevel;
  /**
   * Values known to identify people in the data the caller can query — patient names, MRNs —
   * typically the value index's entries for identifier dimensions, already filtered by row policy.
   */
  knownIdentifiers?: Iterable<KnownIdentifier> | undefined;
  /**
   * Words the product knows: member titles and synonyms, indexed values. Capitalised words that
   * look like a name are left alone when one of them is among these ("Emergency Room").
   */
  vocabulary?: Iterable<string> | undefined;
  /**
   * A matcher built once from a large index of identifiers (the lake's name index), used beside
   * `knownIdentifiers` so that a turn does not rebuild it.
   */
  knownMatcher?: IdentifierMatcher | undefined;
  /** Placeholders from earlier turns of the conversation, so follow-ups reuse them. */
  placeholders?: PlaceholderMap | undefined;
  /** At most this many result rows are sent (default 200). */
  maxRows?: number | undefined;
  /** The clock for Safe Harbor's birth-year cut-off (default: now). */
  now?: Date | undefined;
}

/** A query result as the caller may see it: columns (with what the semantic layer knows) and rows. */
export interface BoundaryResult {
  columns: readonly BoundaryColumn[];
  rows: ReadonlyArray<ReadonlyArray<unknown>>;
}

/** A value from the value index that matched words of the question. */
export interface ValueMatch {
  dimension: string;
  value: string;
}

/** Everything the graph may want to put in front of the model for one turn. */
export interface PromptParts {
  question: string;
  /** The caller's visible semantic model (members, titles, synonyms): never data values. */
  schema?: unknown;
  valueMatches?: readonly ValueMatch[] | undefined;
  result?: BoundaryResult | undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const RANK: Record<PhiLevel, number> = { none: 0, deidentified: 1, allowed: 2 };

/** A row count with small cells suppressed; zero stays visible so the model can tell "no rows". */
function rowCount(n: number): number | string {
  return n > 0 && n < SMALL_CELL_MIN ? `<${SMALL_CELL_MIN}` : n;
}

/**
 * Decides exactly what leaves for a model endpoint, by its `phi` level (minimum necessary):
 * - `none`: the question with identifiers replaced by placeholders, and the caller's visible schema.
 *   No data values: results are described by their columns and size only.
 * - `deidentified`: the same for a plan request; `result()` prepares Safe Harbor rows with small
 *   cells suppressed, but the agent never sends results to a model at any level (it only plans).
 * - `allowed`: the question as asked (`result()` would give rows as the caller sees them).
 * Data always travels quoted (see quoteData). One boundary per conversation turn; keep
 * `placeholders` in the conversation state to restore answers and follow-ups.
 *
 * @example
 * const b = new PhiBoundary({ level: 'none', knownIdentifiers: ['Jane Roe'] });
 * const prompt = b.prompt({ question: 'encounters for Jane Roe in 2019', schema: meta });
 * // prompt says "encounters for [NAME_1] in 2019"; the model answers with [NAME_1]
 * b.restore(reply.text); // "Jane Roe" again, locally
 */
export class PhiBoundary {
  readonly level: PhiLevel;
  private readonly matcher: IdentifierMatcher;
  private map: PlaceholderMap;
  private readonly maxRows: number;
  private readonly now: Date;

  constructor(options: PhiBoundaryOptions) {
    this.level = options.level;
    this.matcher = new IdentifierMatcher(
      options.knownIdentifiers ?? [],
      options.vocabulary ?? [],
      options.knownMatcher,
    );
    this.map = { ...(options.placeholders ?? {}) };
    this.maxRows = options.maxRows ?? 200;
    this.now = options.now ?? new Date();
  }

  /** Placeholder → original, for the conversation state (it is PHI: store it encrypted, like the lake). */
  get placeholders(): PlaceholderMap {
    return { ...this.map };
  }

  /** The question as it may be sent: placeholders below `allowed`. */
  question(text: string): string {
    if (this.level === 'allowed') return text;
    const { text: out, placeholders } = replaceIdentifiers(text, {
      known: this.matcher,
      placeholders: this.map,
    });
    this.map = placeholders;
    return out;
  }

  /** The caller's visible schema, quoted; free text in it is scrubbed of identifiers below `allowed`. */
  schema(visible: unknown): string {
    return quoteData('schema', this.level === 'allowed' ? visible : this.scrub(visible));
  }

  /**
   * Value-index matches for the question. Below `allowed` an identifier becomes its placeholder;
   * at `none` other values go only when the caller typed them in the question.
   */
  valueMatches(matches: readonly ValueMatch[], rawQuestion: string): string | null {
    const lower = rawQuestion.toLowerCase();
    const out: ValueMatch[] = [];
    for (const m of matches) {
      if (this.level === 'allowed') {
        out.push(m);
        continue;
      }
      const { text, placeholders } = replaceIdentifiers(m.value, {
        known: this.matcher,
        placeholders: this.map,
      });
      if (text !== m.value) {
        this.map = placeholders;
        // Only whole-value identifiers become a match; a partly identifying value is dropped.
        if (/^\[[A-Z]+_\d+\]$/.test(text)) out.push({ dimension: m.dimension, value: text });
        continue;
      }
      if (this.level === 'deidentified' || lower.includes(m.value.toLowerCase())) out.push(m);
    }
    return out.length ? quoteData('value_matches', out) : null;
  }

  /** A query result, quoted, reduced to what this level may receive. */
  result(result: BoundaryResult): string {
    const total = result.rows.length;
    const rows = result.rows.slice(0, this.maxRows);
    const truncated = total > rows.length;
    if (this.level === 'none') {
      return quoteData('result', {
        columns: result.columns.map((c) => ({ name: this.matcher.redact(c.name), type: c.type })),
        rowCount: rowCount(total),
        values: 'withheld: this model endpoint is not cleared to receive data values',
      });
    }
    if (this.level === 'deidentified') {
      const d = deidentifyRows(result.columns, rows, { matcher: this.matcher, now: this.now });
      return quoteData('result', {
        columns: d.columns.map((c) => ({ name: this.matcher.redact(c.name), type: c.type })),
        rows: d.rows,
        rowCount: rowCount(total),
        truncated,
        removedColumns: d.removedColumns.length,
        suppressedCells: d.suppressedCells,
        note: 'de-identified under HIPAA Safe Harbor; counts under 11 shown as "<11"',
      });
    }
    return quoteData('result', {
      columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
      rows: rows.map((r) => r.map(toPlain)),
      rowCount: total,
      truncated,
    });
  }

  /** The user message for one turn: the question, then each part as quoted data. */
  prompt(parts: PromptParts): string {
    const sections = [`Question: ${this.question(parts.question)}`];
    if (parts.schema !== undefined) {
      sections.push(`The caller's semantic model (what they may query):\n${this.schema(parts.schema)}`);
    }
    const matches = parts.valueMatches ? this.valueMatches(parts.valueMatches, parts.question) : null;
    if (matches) sections.push(`Values from the question found in the data:\n${matches}`);
    if (parts.result) sections.push(`Result of the last query:\n${this.result(parts.result)}`);
    return sections.join('\n\n');
  }

  /** Put original values back into the model's answer or tool arguments, locally. */
  restore<T>(value: T): T {
    return restore(value, this.map);
  }

  /**
   * The one outbound filter: every known placeholder value goes back to its placeholder, by plain
   * case-insensitive substring match whatever surrounds it ("x<name>x" too). It runs on every
   * message of every role and every tool result before anything leaves, so a value restored
   * locally (in an error, a choice, a stored plan) can never travel back to the model.
   *
   * @example new PhiBoundary({ level: 'none', placeholders: { '[NAME_1]': 'Jane Roe' } }).outbound('xJane Roex') // => 'x[NAME_1]x'
   */
  outbound(text: string): string {
    const pairs = Object.entries(this.map)
      .filter(([, original]) => original.length > 0)
      // Longest first: "Ann Lee Smith" before "Ann Lee".
      .sort((a, b) => b[1].length - a[1].length);
    if (pairs.length === 0) return text;
    const byLower = new Map(pairs.map(([p, o]) => [o.toLowerCase(), p]));
    const pattern = new RegExp(pairs.map(([, o]) => escapeRegExp(o)).join('|'), 'gi');
    return text.replace(pattern, (m) => byLower.get(m.toLowerCase()) ?? m);
  }

  /** `outbound` over every string inside a JSON-like value (tool-call arguments). */
  outboundDeep<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.outbound(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.outbound(k), walk(x)]));
      }
      return v;
    };
    return walk(value) as T;
  }

  /**
   * A value that came from the data or from a locally restored plan, made fit to send: every
   * string de-identified like a question (placeholders below `allowed`), then quoted as data.
   */
  quoted(name: string, value: unknown): string {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.outbound(this.question(v));
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return quoteData(name, walk(value));
  }

  /**
   * Refuse text about to leave if it still holds an identifier this level forbids (known identifiers,
   * SSNs, emails, phone numbers, UUIDs, labelled record numbers). A last check, after the parts above
   * did their work; the error names the kinds found, never the values.
   */
  assertOutbound(text: string): void {
    if (this.level === 'allowed') return;
    const kinds = [...new Set(this.matcher.kinds(text))];
    if (kinds.length) {
      throw new PhiError(
        'PHI_OUTBOUND_BLOCKED',
        `Refused to send to a phi: ${this.level} endpoint: the request still contains ${kinds.join(', ')} identifiers.`,
      );
    }
  }

  /** Refuse to serve an endpoint cleared for less than this boundary would send. */
  assertFits(endpointLevel: PhiLevel): void {
    if (RANK[this.level] > RANK[endpointLevel]) {
      throw new PhiError(
        'PHI_LEVEL_MISMATCH',
        `A phi: ${this.level} boundary cannot feed a phi: ${endpointLevel} endpoint.`,
      );
    }
  }

  private scrub(value: unknown): unknown {
    if (typeof value === 'string') return this.matcher.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.scrub(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.scrub(v)]));
    }
    return value;
  }
}
