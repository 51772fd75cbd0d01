import { randomUUID } from 'node:crypto';
import { ContextCache } from './context-cache.ts';
import type { ConversationStore } from './conversations/store.ts';
import { AgentError } from './errors.ts';
import { buildGraph, type StepTimings } from './graph.ts';
import type { CoveredChatModel } from './providers/index.ts';
import type { AgentStateType, Turn } from './state.ts';
import type { AgentDeps, AgentEvent, AskResult, CallerContext, EndpointGuard } from './types.ts';

const CONVERSATION_ID = /^[A-Za-z0-9_-]{8,64}$/;
const MAX_QUESTION = 4000;

/**
 * The analyst agent: asks go through the LangGraph graph under the caller's permissions, are
 * audited before the answer is released, and persist (encrypted) for follow-ups.
 *
 * @example
 * const analyst = Analyst.create({ deps, store });
 * for await (const e of analyst.ask('how many patients?', ctx)) if (e.type === 'result') console.log(e.result);
 */
export class Analyst {
  private constructor(
    private readonly deps: AgentDeps,
    private readonly store: ConversationStore,
    private readonly cache: ContextCache,
    private readonly graph: ReturnType<typeof buildGraph>,
    private readonly model: CoveredChatModel | undefined,
    private readonly fallbackToOffline: boolean,
  ) {}

  static create(options: {
    deps: AgentDeps;
    store: ConversationStore;
    contextTtlMs?: number;
    /** A covered model endpoint; without one the offline interpreter answers. */
    model?: CoveredChatModel | undefined;
    /** When the endpoint fails, answer with the offline interpreter (default true). */
    fallbackToOffline?: boolean;
    /** The endpoint's circuit breaker (incidents and paging). */
    guard?: EndpointGuard | undefined;
  }): Analyst {
    const cache = new ContextCache(options.deps, options.contextTtlMs);
    const model = options.model
      ? { chat: options.model, fallback: options.fallbackToOffline ?? true, guard: options.guard }
      : undefined;
    return new Analyst(
      options.deps,
      options.store,
      cache,
      buildGraph(options.deps, cache, options.store.checkpointer, model),
      options.model,
      model?.fallback ?? false,
    );
  }

  /** Stream the events of one question; the last event carries the result. */
  async *ask(
    question: string,
    ctx: CallerContext,
    options: { conversationId?: string } = {},
  ): AsyncGenerator<AgentEvent> {
    const started = performance.now();
    if (typeof question !== 'string' || !question.trim())
      throw new AgentError('INVALID_QUESTION', 'The question is empty.');
    if (question.length > MAX_QUESTION)
      throw new AgentError('INVALID_QUESTION', `The question is longer than ${MAX_QUESTION} characters.`);
    const conversationId = options.conversationId ?? randomUUID();
    if (!CONVERSATION_ID.test(conversationId)) {
      throw new AgentError('INVALID_QUESTION', 'A conversation id is 8 to 64 letters, digits, "-" or "_".');
    }
    await this.#assertOwner(conversationId, ctx);
    await this.store.touch(conversationId, ctx.userId);
    yield { type: 'start', conversationId };

    const stepTimings: StepTimings = new Map();
    const stream = await this.graph.stream(
      { question: question.trim(), ctx },
      // One checkpoint per turn, written when the graph exits: a follow-up needs only the finished
      // turn, and a turn cut short released nothing. (Per-step checkpoints cost more than planning.)
      // The final state comes with the stream ('values'), so it is not read back and decrypted.
      {
        configurable: { thread_id: conversationId, stepTimings },
        streamMode: ['updates', 'values'],
        durability: 'exit',
      },
    );
    let state: AgentStateType | undefined;
    for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === 'values') {
        state = chunk as AgentStateType;
        continue;
      }
      for (const [node, value] of Object.entries(chunk as Record<string, Partial<AgentStateType>>)) {
        const ms = stepTimings.get(node);
        yield ms === undefined
          ? { type: 'step', node }
          : { type: 'step', node, ms: Math.round(ms * 100) / 100 };
        if (node === 'plan' && value?.currentPlan) {
          const plan = value.currentPlan;
          yield {
            type: 'plan',
            semanticQuery: plan.kind === 'query' ? plan.query : null,
            sql: plan.kind === 'sql' ? plan.sql : null,
          };
        }
      }
    }
    if (!state) throw new AgentError('AGENT_FAILED', 'The agent finished without a state.');
    const plan = state.currentPlan;
    const result: AskResult = {
      status: state.status ?? 'error',
      answer: state.answerText ?? '',
      interpretation: state.status === 'ok' ? (state.interpretation ?? null) : null,
      columns: state.status === 'ok' ? (state.result?.columns ?? []) : [],
      rows: state.status === 'ok' ? (state.result?.rows ?? []) : [],
      sql: state.result?.sql ?? null,
      semanticQuery: plan?.kind === 'query' ? plan.query : null,
      chart: state.chart ?? null,
      conversationId,
      auditId: null,
    };
    if (plan?.kind === 'clarify') result.options = plan.options;
    if (result.status === 'ok' && plan?.kind === 'sql') result.plannedSql = plan.sql;
    if (result.status === 'ok' && state.verified) {
      result.verified = state.verified;
      result.answer += ` (From the verified query "${state.verified.question}", ${state.verified.author}, ${state.verified.date}.)`;
    }
    if (result.status === 'ok' && state.result?.suppressed) result.suppressed = state.result.suppressed;
    if (state.modelFailure && this.model && this.fallbackToOffline) {
      result.fallback = true;
      result.fallbackReason = `${state.modelFailure}: the model endpoint "${this.model.info.endpoint}" failed; the offline interpreter answered`;
    }
    if (this.deps.audit) {
      // Recorded before release: if the audit trail cannot take it, the caller gets an error, not data.
      result.auditId = await this.deps.audit(
        {
          conversationId,
          question,
          status: result.status,
          semanticQuery: result.semanticQuery,
          sql: result.sql,
          rowsReturned: result.rows.length,
          relations: state.result?.relations ?? [],
          // The offline interpreter answered only when the endpoint failed and a fallback was allowed.
          endpoint:
            this.model && !(state.modelFailure && this.fallbackToOffline)
              ? this.model.info.endpoint
              : 'offline',
          modelId: this.model?.info.model,
          prompt: state.exchanges?.length
            ? state.exchanges.map((e) => e.prompt).join('\n\n---\n\n')
            : undefined,
          response: state.exchanges?.length ? state.exchanges.map((e) => e.response).join('\n') : undefined,
          latencyMs: Math.round(performance.now() - started),
          error: state.error ?? undefined,
          modelFailure: state.modelFailure ?? undefined,
        },
        ctx,
      );
    }
    yield { type: 'result', result };
  }

  /** Ask and wait for the result. */
  async run(
    question: string,
    ctx: CallerContext,
    options: { conversationId?: string } = {},
  ): Promise<AskResult> {
    let result: AskResult | undefined;
    for await (const e of this.ask(question, ctx, options)) if (e.type === 'result') result = e.result;
    if (!result) throw new AgentError('AGENT_FAILED', 'The agent finished without a result.');
    return result;
  }

  /** A conversation's turns, for its owner only. */
  async conversation(id: string, ctx: CallerContext): Promise<{ id: string; turns: Turn[] }> {
    const record = await this.store.get(id);
    if (!record) throw new AgentError('CONVERSATION_NOT_FOUND', 'No such conversation.');
    await this.#assertOwner(id, ctx);
    const state = (await this.graph.getState({ configurable: { thread_id: id } })).values as AgentStateType;
    return { id, turns: state.history ?? [] };
  }

  /** Drop cached model metadata and value indexes (after a sync or a model change). */
  refresh(): void {
    this.cache.clear();
  }

  async #assertOwner(id: string, ctx: CallerContext): Promise<void> {
    const record = await this.store.get(id);
    if (record && record.owner !== ctx.userId) {
      // Same answer as a missing one would leak existence; a refusal is clearer and still says nothing.
      throw new AgentError('CONVERSATION_FORBIDDEN', 'This conversation belongs to another user.');
    }
  }
}
