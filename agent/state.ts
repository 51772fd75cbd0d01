import { Annotation } from '@langchain/langgraph';
import type { FlatCubeQuery } from '../semantic/index.ts';

import type { CallerContext, TabularResult, VerifiedSource } from './types.ts';

/** One finished exchange, kept for follow-ups ("and by gender?"). */
export interface Turn {
  question: string;
  status: string;
  semanticQuery: FlatCubeQuery | null;
  sql: string | null;
  answer: string;
  /**
   * The model's own plan for this turn, exactly as it wrote it (placeholders, never the values they
   * stand for): what later turns show the model. Absent when no model planned.
   */
  modelPlan?: string | null | undefined;
}

/** What the interpreter (or a model) decided: a semantic query, a question back, or out of scope. */
export type Plan =
  | {
      kind: 'query';
      query: FlatCubeQuery;
      notes: string[];
      interpretation?: string | undefined;
      /** A ranking cut at its limit: rows tied with the last one kept are told, not silently dropped. */
      reportTies?: boolean | undefined;
    }
  | { kind: 'clarify'; message: string; options: Array<{ label: string; question: string }> }
  | { kind: 'out_of_scope'; message: string };

/** What the plan step decided to run (or say). */
export type PlanStep =
  | Plan
  | {
      kind: 'sql';
      sql: string;
      interpretation?: string | undefined;
      percent?: boolean | undefined;
      /** The grain of the statement's "period" column (a running total, a breakdown by month). */
      grain?: string | undefined;
    };

const last = <T>(d: T) => Annotation<T>({ reducer: (_a, b) => b, default: () => d });

/**
 * The graph's state. Per-turn fields are reset by `understand`; `history` and `owner` persist
 * with the conversation (through the encrypted checkpointer).
 */
export const AgentState = Annotation.Root({
  question: last<string>(''),
  ctx: last<CallerContext | null>(null),
  /** The user who started the conversation; nobody else may continue or read it. */
  owner: last<string | null>(null),
  history: Annotation<Turn[]>({ reducer: (a, b) => [...a, ...b].slice(-20), default: () => [] }),
  previousQuery: last<FlatCubeQuery | null>(null),
  currentPlan: last<PlanStep | null>(null),
  attempts: last<number>(0),
  error: last<string | null>(null),
  result: last<
    | (TabularResult & {
        sql: string | null;
        relations: string[];
        /** Rows past a ranking's limit tied with its last row (their labels), when the plan asked. */
        tiedPastLimit?: string[] | undefined;
      })
    | null
  >(null),
  status: last<'ok' | 'clarify' | 'refused' | 'error' | null>(null),
  answerText: last<string | null>(null),
  /** What the answer computed, in words ("Median of Total Claim Cost over all encounters, 2021"). */
  interpretation: last<string | null>(null),
  chart: last<Record<string, unknown> | null>(null),
  /** Placeholders the PHI boundary used, so follow-ups reuse them (encrypted with the state). */
  placeholders: last<Record<string, string> | null>(null),
  /** What went to the model and what came back this turn, exactly, for the audit record. */
  exchanges: last<Array<{ prompt: string; response: string }>>([]),
  /** The model's own plan this turn, as it wrote it (placeholders kept), for the history. */
  modelPlan: last<string | null>(null),
  /** The verified query this turn reused (its file, question, author and date), if any. */
  verified: last<VerifiedSource | null>(null),
  /** Set when the endpoint failed and the offline interpreter answered instead. */
  modelFailure: last<string | null>(null),
});

export type AgentStateType = typeof AgentState.State;
export type AgentUpdate = typeof AgentState.Update;
