import {
  type BoundaryColumn,
  classifyColumn,
  deidentifyRows,
  type IdentifierMatcher,
  PhiError,
  ROLE_OF_SAFE_HARBOR_TAG,
  toPlain,
} from '../../agent/index.ts';
import type { MetaCube } from '../../semantic/index.ts';
import type { PhiLevel } from '../../workspace/index.ts';

/** A result column as a client receives it; `deidentified` names the Safe Harbor treatment applied. */
export interface ReleasedColumn {
  name: string;
  type: string;
  deidentified?: 'year' | 'birth_year' | 'zip3' | 'age' | 'count' | undefined;
}

/** What the boundary did to a result, for the client and the audit record. */
export interface ReleaseSummary {
  phi: PhiLevel;
  removedColumns: string[];
  suppressedCells: number;
}

/** Measure types that count people or records: small cells below 11 are suppressed at `none`. */
const COUNT_MEASURES = new Set(['count', 'count_distinct', 'count_distinct_approx']);

// Full dates inside kept text (a cast date, a date in a description): Safe Harbor keeps the year only.
const DATE_IN_TEXT =
  /\b(\d{4})[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b|\b(?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](\d{4})\b/g;

/**
 * What a result may carry to an MCP client of a given `phi` level: the same Safe Harbor transforms
 * the model boundary uses (agent/phi), applied to result rows because, unlike a model endpoint,
 * an MCP client receives them.
 * - `allowed`: rows as the caller sees them under their own policies (values made plain JSON).
 * - `deidentified`: a Safe Harbor de-identified result: identifier columns removed, dates to the
 *   year, ZIP to 3 digits, ages over 89 as 90+, identifiers inside kept text redacted.
 * - `none` (the default): the same, and counts under 11 shown as "<11" (small cells suppressed).
 * Below `allowed`, `assertClean` is a last scan of everything about to leave.
 *
 * @example
 * const release = new PhiRelease({ level: 'none', matcher, meta });
 * const out = release.table([{ name: 'patients.first', type: 'string' }], [['Jane']]); // column removed
 */
export class PhiRelease {
  readonly level: PhiLevel;
  readonly #matcher: IdentifierMatcher | undefined;
  readonly #lowerCase: ReadonlySet<string>;
  readonly #members: Map<string, { phi?: string; safeHarbor?: string; count?: boolean }>;
  readonly #now: Date;

  constructor(options: {
    level: PhiLevel;
    /** Required below `allowed`: recognises known identifiers and strong patterns. */
    matcher?: IdentifierMatcher | undefined;
    /** Known identifier values in lower case: found in text in any letter case ("esteban536"). */
    lowerCase?: ReadonlySet<string> | undefined;
    /** The caller's visible model: its PHI tags decide how a member's column is treated. */
    meta?: readonly MetaCube[] | undefined;
    now?: Date | undefined;
  }) {
    this.level = options.level;
    if (options.level !== 'allowed' && !options.matcher)
      throw new Error('a PHI release below allowed needs an identifier matcher');
    this.#matcher = options.matcher;
    this.#lowerCase = options.lowerCase ?? new Set();
    this.#now = options.now ?? new Date();
    this.#members = new Map();
    for (const c of options.meta ?? [])
      for (const m of [...c.measures, ...c.dimensions]) {
        const tags = m.meta as { phi?: string; safe_harbor?: string } | undefined;
        // A count measure is a count whatever type the engine gives its column (DOUBLE after a division).
        const count = c.measures.includes(m) && COUNT_MEASURES.has(String(m.aggType ?? m.type));
        this.#members.set(m.name, { phi: tags?.phi, safeHarbor: tags?.safe_harbor, count });
      }
  }

  /** Columns and rows reduced to what this level may receive. */
  table(
    columns: ReadonlyArray<{ name: string; type: string }>,
    rows: ReadonlyArray<ReadonlyArray<unknown>>,
  ): { columns: ReleasedColumn[]; rows: unknown[][]; summary: ReleaseSummary } {
    if (this.level === 'allowed') {
      return {
        columns: columns.map((c) => ({ name: c.name, type: c.type })),
        rows: rows.map((r) => r.map(toPlain)),
        summary: { phi: this.level, removedColumns: [], suppressedCells: 0 },
      };
    }
    const boundary = columns.map((c) => this.#boundaryColumn(c));
    const d = deidentifyRows(boundary, rows, { matcher: this.#matcher!, now: this.#now });
    return {
      columns: d.columns.map((c) => ({
        name: c.name,
        type: c.type,
        ...(c.treatment === 'keep' ? {} : { deidentified: c.treatment }),
      })),
      rows: d.rows.map((r) => r.map((v) => this.#datesToYears(typeof v === 'string' ? this.#anyCase(v) : v))),
      summary: { phi: this.level, removedColumns: d.removedColumns, suppressedCells: d.suppressedCells },
    };
  }

  /** Free text (an answer, SQL, a label) with identifiers and full dates redacted below `allowed`. */
  text(value: string): string {
    if (this.level === 'allowed') return value;
    return this.#datesToYears(this.#anyCase(this.#matcher!.redact(value))) as string;
  }

  /** `text` over every string inside a JSON-like value. */
  deep<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object')
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  /**
   * The last check before anything leaves below `allowed`: refuse (PHI_OUTBOUND_BLOCKED, naming the
   * kinds, never the values) when the serialised result still holds a known identifier or a strong
   * pattern (SSN, e-mail, phone, UUID, labelled record number).
   */
  assertClean(value: unknown): void {
    if (this.level === 'allowed') return;
    const json = JSON.stringify(value) ?? '';
    const kinds: string[] = [...new Set(this.#matcher!.kinds(json))];
    if (this.#anyCase(json) !== json) kinds.push('NAME');
    if (kinds.length)
      throw new PhiError(
        'PHI_OUTBOUND_BLOCKED',
        `Refused to release this result to a phi: ${this.level} MCP client: it still contains ${kinds.join(', ')} identifiers.`,
      );
  }

  #boundaryColumn(c: { name: string; type: string }): BoundaryColumn {
    const member = this.#members.get(c.name) ?? this.#members.get(c.name.split('.').slice(0, 2).join('.'));
    const phi =
      member?.phi === 'direct' || member?.phi === 'quasi' ? member.phi : member ? 'none' : undefined;
    const role = member?.safeHarbor
      ? ROLE_OF_SAFE_HARBOR_TAG[member.safeHarbor]
      : member?.count
        ? 'count'
        : undefined;
    const column: BoundaryColumn = { name: c.name, type: c.type, phi, role };
    // A de-identified data set (164.514(b)(2)) keeps counts as they are; only `none` suppresses small cells.
    if (this.level === 'deidentified' && classifyColumn(column) === 'count')
      return { ...column, role: 'value' };
    return column;
  }

  /** Known values in another letter case (an echo lower-cases a name): runs of up to 6 words. */
  #anyCase(text: string): string {
    if (this.#lowerCase.size === 0) return text;
    const words = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'.-]*/gu)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
    }));
    const spans: Array<{ start: number; end: number }> = [];
    for (let i = 0; i < words.length; i++) {
      for (let n = Math.min(6, words.length - i); n >= 1; n--) {
        const start = words[i]!.start;
        const end = words[i + n - 1]!.end;
        if (this.#lowerCase.has(text.slice(start, end).toLowerCase())) {
          spans.push({ start, end });
          i += n - 1;
          break;
        }
      }
    }
    let out = text;
    for (const s of spans.reverse()) out = `${out.slice(0, s.start)}[REDACTED]${out.slice(s.end)}`;
    return out;
  }

  #datesToYears(v: unknown): unknown {
    if (typeof v !== 'string') return v;
    return v.replace(DATE_IN_TEXT, (_m, isoYear: string | undefined, usYear: string | undefined) =>
      String(isoYear ?? usYear),
    );
  }
}
