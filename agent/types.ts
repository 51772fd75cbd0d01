import type { ResultColumn } from '../lakehouse/index.ts';
import type { FlatCubeQuery } from '../semantic/index.ts';
import type { LexiconCube as MetaCube, LexiconValues as ValueIndex } from './interpreter/index.ts';
import type { VerifiedQuery } from './interpreter/verified.ts';
import type { KnownIdentifier } from './phi/index.ts';

/** Who is asking: carried into every query and audit record. Same shape as the semantic layer's. */
export interface CallerContext {
  userId: string;
  roles: string[];
  attributes: Record<string, unknown>;
}

/**
 * Small-cell suppression: in these rows (indexes into `rows`) the null values are withheld because
 * they count fewer than `minGroupSize` people. The same shape dashboards and embeds return.
 */
export interface SuppressedRows {
  minGroupSize: number;
  rows: number[];
}

/** A result as the agent passes it on: typed columns and JSON rows. */
export interface TabularResult {
  columns: ResultColumn[];
  rows: unknown[][];
  truncated?: boolean;
  /** Set when the caller's policy suppressed small cells in some rows. */
  suppressed?: SuppressedRows | undefined;
}

/** The record the agent asks the audit trail to keep before an answer is released. */
export interface AgentAuditEntry {
  conversationId: string;
  question: string;
  status: AskResult['status'];
  semanticQuery: FlatCubeQuery | null;
  sql: string | null;
  rowsReturned: number;
  relations: string[];
  endpoint: string;
  modelId?: string | undefined;
  region?: string | undefined;
  prompt?: string | undefined;
  response?: string | undefined;
  latencyMs: number;
  error?: string | undefined;
  /** The model endpoint's failure code when it failed this turn (and the offline interpreter answered, if allowed). */
  modelFailure?: string | undefined;
}

/**
 * What the agent needs from the rest of the system, injected so the graph stays testable and
 * never reaches past the governed surfaces: the caller's visible model, their value index,
 * semantic queries and governed SQL run under their policies, and the audit trail.
 */
export interface AgentDeps {
  meta(ctx: CallerContext): Promise<MetaCube[]>;
  values(ctx: CallerContext): Promise<ValueIndex>;
  /**
   * PHI-tagged text values the caller sees unmasked (people's names), for the offline
   * interpreter only: never retrieved for a model endpoint's prompt (see `localValueIndex`).
   */
  localValues?(ctx: CallerContext): Promise<ValueIndex>;
  runSemantic(
    query: FlatCubeQuery,
    ctx: CallerContext,
  ): Promise<TabularResult & { sql: string; relations?: string[] }>;
  runSql(
    sql: string,
    ctx: CallerContext,
  ): Promise<TabularResult & { sqlExecuted: string; relations?: string[] }>;
  /** Values that identify people the caller can see (names, MRNs), for the PHI boundary. */
  identifiers?(ctx: CallerContext): Promise<string[]>;
  /**
   * Every value of every name-like column (names, addresses, cities, record numbers), hidden rows
   * included, read locally and never sent: what a user types is de-identified whether or not they
   * could see the row it names.
   */
  nameIndex?(): Promise<KnownIdentifier[]>;
  /** The workspace's verified queries (`model/verified_queries/*.yaml`), reused before planning. */
  verifiedQueries?(): Promise<VerifiedQuery[]>;
  /** Records the exchange; must resolve before the answer is released. Returns the audit id. */
  audit?(entry: AgentAuditEntry, ctx: CallerContext): Promise<string>;
  now?(): Date;
}

/** The answer, exactly as `analyst ask --json` prints it and `POST /v1/chat` returns it. */
export interface AskResult {
  status: 'ok' | 'clarify' | 'refused' | 'error';
  answer: string;
  /** What was computed, in words ("Median of Total Claim Cost over all encounters, 2021"); null without data. */
  interpretation: string | null;
  columns: ResultColumn[];
  rows: unknown[][];
  sql: string | null;
  semanticQuery: FlatCubeQuery | null;
  chart: Record<string, unknown> | null;
  conversationId: string;
  auditId: string | null;
  /** Clarification choices, when status is clarify. */
  options?: Array<{ label: string; question: string }>;
  /** Small-cell suppression: rows whose null values are withheld (fewer than `minGroupSize` people). */
  suppressed?: SuppressedRows;
  /** The governed SQL as planned, before the gate applied the caller's policies (what "Save as verified" saves). */
  plannedSql?: string;
  /** Present when the answer reused a verified query: which one, who verified it and when. */
  verified?: VerifiedSource;
  /** Present when the model endpoint failed and the offline interpreter answered instead. */
  fallback?: true;
  /** Why: the endpoint's failure code (`MODEL_CALL_FAILED`, `CIRCUIT_OPEN`, …). */
  fallbackReason?: string;
  /** The lake snapshot this answer read, when the question was asked as of one (`asOf`). */
  snapshot?: number;
}

/** The verified query an answer came from. */
export interface VerifiedSource {
  file: string;
  question: string;
  author: string;
  date: string;
}

/** Events streamed while the graph runs; the last one carries the result. */
export type AgentEvent =
  | { type: 'start'; conversationId: string }
  /** `ms`: how long the node's own work took (planning, SQL, …), without the graph's bookkeeping. */
  | { type: 'step'; node: string; detail?: string; ms?: number }
  | { type: 'plan'; semanticQuery: FlatCubeQuery | null; sql: string | null }
  | { type: 'result'; result: AskResult };

/** Watches a model endpoint's health: `run` counts the call and refuses while the circuit is open. */
export interface EndpointGuard {
  run<T>(endpoint: string, call: () => Promise<T>): Promise<T>;
}
