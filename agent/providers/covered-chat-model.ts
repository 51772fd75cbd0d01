import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { PhiLevel, ProviderName } from '../endpoints.ts';
import type { PhiBoundary } from '../phi/index.ts';
import {
  ANALYST_TOOL_ARGS,
  type AnalystToolArgs,
  type AnalystToolCall,
  type AnalystToolName,
  analystToolDefinition,
  isAnalystToolName,
} from '../tools.ts';
import { NotCoveredError, ProviderError } from './errors.ts';
import type { GuardedTransport } from './guarded-fetch.ts';
import { filterMessages, textOf, textOfReply, toCoveredMessages } from './messages.ts';
import { assertTracingOff } from './tracing.ts';

/** Who answers: the endpoint's name, provider, model and PHI level (for audit records and routing). */
export interface CoveredModelInfo {
  endpoint: string;
  provider: ProviderName | 'scripted';
  model: string;
  phi: PhiLevel;
  /** The longest one call may take, retries included; the call is aborted after it. */
  deadlineMs?: number | undefined;
}

/** The only options a call takes. Anything else fails closed. */
export interface CoveredCallOptions {
  /** Which of our tools the model may call this turn (default: none). */
  tools?: readonly AnalystToolName[] | undefined;
  /** `auto` (default when tools are offered), `any` (must call one), or the one tool to call. */
  toolChoice?: 'auto' | 'any' | AnalystToolName | undefined;
  /** Required below `phi: allowed`: the boundary that prepared this turn; it checks what leaves. */
  boundary?: PhiBoundary | undefined;
  signal?: AbortSignal | undefined;
}

/** A model reply: its text, our validated tool calls, and a clean message to keep in the history. */
export interface CoveredReply {
  message: AIMessage;
  text: string;
  toolCalls: AnalystToolCall[];
}

/** Most tool calls one reply may hold: a plan is one call, a search or two before it at most. */
export const MAX_TOOL_CALLS = 4;
/** Most characters of text one reply may hold (the wire cap in guarded-fetch bounds the bytes). */
export const MAX_REPLY_TEXT = 20_000;

const CALL_OPTION_KEYS = new Set(['tools', 'toolChoice', 'boundary', 'signal']);

/**
 * A chat model pinned to the covered surface: text in, text and calls to OUR four tools out.
 * Other tools, provider built-in tools, images/files/audio, other message kinds and options fail
 * closed with a typed error before anything is sent; a reply calling a tool that was not offered
 * fails closed too. Below `phi: allowed`, every call needs the turn's PhiBoundary, which checks all
 * outgoing text for identifiers.
 *
 * @example
 * const model = createChatModel('claude', endpoint);
 * const reply = await model.invoke([new SystemMessage(rules), new HumanMessage(boundary.prompt(parts))],
 *   { tools: ['run_semantic_query', 'ask_clarifying_question'], boundary });
 * for (const call of reply.toolCalls) if (call.name === 'run_semantic_query') run(boundary.restore(call.args));
 * await model.close();
 */
export class CoveredChatModel {
  private constructor(
    private readonly inner: BaseChatModel,
    readonly info: CoveredModelInfo,
    /** The guarded transport of a network endpoint (absent for scripted models). */
    readonly transport: GuardedTransport | undefined,
  ) {}

  /**
   * Wrap a LangChain chat model. `createChatModel` does this for configured endpoints; tests wrap
   * scripted models the same way.
   *
   * @example CoveredChatModel.wrap(new FakeListChatModel({ responses: ['ok'] }), { endpoint: 'test', provider: 'scripted', model: 'fake', phi: 'allowed' })
   */
  static wrap(inner: BaseChatModel, info: CoveredModelInfo, transport?: GuardedTransport): CoveredChatModel {
    return new CoveredChatModel(inner, info, transport);
  }

  /** One chat turn. */
  async invoke(messages: readonly BaseMessage[], options: CoveredCallOptions = {}): Promise<CoveredReply> {
    for (const key of Object.keys(options)) {
      if (!CALL_OPTION_KEYS.has(key))
        throw new NotCoveredError('FEATURE_NOT_COVERED', `The call option "${key}"`);
    }
    assertTracingOff();
    const offered = this.checkTools(options.tools ?? [], options.toolChoice);
    const boundary = options.boundary;
    const covered = boundary
      ? filterMessages(
          toCoveredMessages(messages),
          (t) => boundary.outbound(t),
          (a) => boundary.outboundDeep(a),
        )
      : toCoveredMessages(messages);
    this.checkBoundary(covered, boundary);

    let runnable: { invoke: BaseChatModel['invoke'] } = this.inner;
    if (offered.length > 0) {
      if (typeof this.inner.bindTools !== 'function') {
        throw new ProviderError('ENDPOINT_INVALID', `Endpoint "${this.info.endpoint}" cannot call tools.`);
      }
      runnable = this.inner.bindTools(
        offered.map((name) => analystToolDefinition(name)),
        { tool_choice: options.toolChoice ?? 'auto' },
      );
    }
    let reply: AIMessage;
    try {
      const signals = [
        ...(options.signal ? [options.signal] : []),
        ...(this.info.deadlineMs ? [AbortSignal.timeout(this.info.deadlineMs)] : []),
      ];
      const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
      reply = (await runnable.invoke(covered, { signal, callbacks: [] })) as AIMessage;
    } catch (cause) {
      const typed = findTyped(cause);
      if (typed) throw typed;
      throw new ProviderError(
        'MODEL_CALL_FAILED',
        `Endpoint "${this.info.endpoint}" (${this.info.provider}) failed: ${statusOf(cause)}.`,
        { cause },
      );
    }
    return this.checkReply(reply, offered);
  }

  /**
   * Structured output the covered way: force a call to one of our tools and return its validated
   * arguments (no provider response-format or JSON modes).
   *
   * @example const { args } = await model.callTool(messages, 'ask_clarifying_question', { boundary });
   */
  async callTool<N extends AnalystToolName>(
    messages: readonly BaseMessage[],
    tool: N,
    options: Omit<CoveredCallOptions, 'tools' | 'toolChoice'> = {},
  ): Promise<{ id: string; args: AnalystToolArgs[N]; message: AIMessage }> {
    const reply = await this.invoke(messages, { ...options, tools: [tool], toolChoice: tool });
    const call = reply.toolCalls.find((c) => c.name === tool);
    if (!call) {
      throw new ProviderError('TOOL_ARGS_INVALID', `Endpoint "${this.info.endpoint}" did not call ${tool}.`);
    }
    return { id: call.id, args: call.args as AnalystToolArgs[N], message: reply.message };
  }

  /** Close the endpoint's kept-alive connections. */
  async close(): Promise<void> {
    this.transport?.close();
  }

  private checkTools(tools: readonly unknown[], toolChoice: unknown): AnalystToolName[] {
    if (!Array.isArray(tools))
      throw new NotCoveredError('FEATURE_NOT_COVERED', 'A tools option that is not a list');
    const offered: AnalystToolName[] = [];
    for (const t of tools) {
      if (!isAnalystToolName(t)) {
        const label =
          typeof t === 'string' ? `The tool "${t}"` : 'A tool definition object (only our tool names)';
        throw new NotCoveredError('TOOL_NOT_COVERED', label);
      }
      if (!offered.includes(t)) offered.push(t);
    }
    if (toolChoice !== undefined) {
      const ok =
        offered.length > 0 &&
        (toolChoice === 'auto' || toolChoice === 'any' || offered.includes(toolChoice as AnalystToolName));
      if (!ok) throw new NotCoveredError('TOOL_NOT_COVERED', `The tool choice "${String(toolChoice)}"`);
    }
    return offered;
  }

  private checkBoundary(messages: readonly BaseMessage[], boundary: PhiBoundary | undefined): void {
    if (!boundary) {
      if (this.info.phi === 'allowed') return;
      throw new ProviderError(
        'PHI_BOUNDARY_REQUIRED',
        `Endpoint "${this.info.endpoint}" is phi: ${this.info.phi}; calls must pass the turn's PhiBoundary.`,
      );
    }
    boundary.assertFits(this.info.phi);
    // Every role is checked, the model's own earlier replies and their tool calls included: a
    // reply kept in a history could have been rewritten locally since.
    for (const m of messages) {
      boundary.assertOutbound(textOf(m.content, m.type));
      for (const c of (m as AIMessage).tool_calls ?? []) boundary.assertOutbound(JSON.stringify(c.args));
    }
  }

  private checkReply(reply: AIMessage, offered: readonly AnalystToolName[]): CoveredReply {
    if ((reply.invalid_tool_calls ?? []).length > 0) {
      throw new ProviderError(
        'TOOL_ARGS_INVALID',
        `Endpoint "${this.info.endpoint}" returned a tool call whose arguments are not JSON.`,
      );
    }
    const toolCalls: AnalystToolCall[] = [];
    if ((reply.tool_calls ?? []).length > MAX_TOOL_CALLS) {
      throw new ProviderError(
        'REPLY_TOO_LARGE',
        `Endpoint "${this.info.endpoint}" returned more than ${MAX_TOOL_CALLS} tool calls in one reply.`,
      );
    }
    if (textOfReply(reply.content).length > MAX_REPLY_TEXT) {
      throw new ProviderError(
        'REPLY_TOO_LARGE',
        `Endpoint "${this.info.endpoint}" returned more than ${MAX_REPLY_TEXT} characters of text.`,
      );
    }
    for (const [i, call] of (reply.tool_calls ?? []).entries()) {
      if (!isAnalystToolName(call.name) || !offered.includes(call.name)) {
        throw new NotCoveredError('TOOL_NOT_COVERED', `A reply calling the tool "${call.name}"`);
      }
      const parsed = ANALYST_TOOL_ARGS[call.name].safeParse(call.args);
      if (!parsed.success) {
        const where = parsed.error.issues
          .map((x) => `${x.path.join('.') || '(args)'}: ${x.message}`)
          .join('; ');
        throw new ProviderError(
          'TOOL_ARGS_INVALID',
          `${call.name} was called with invalid arguments: ${where}`,
        );
      }
      toolCalls.push({ id: call.id ?? `call_${i}`, name: call.name, args: parsed.data } as AnalystToolCall);
    }
    const text = textOfReply(reply.content);
    const message = new AIMessage({
      content: text,
      tool_calls: toolCalls.map((c) => ({
        id: c.id,
        name: c.name,
        args: c.args,
        type: 'tool_call' as const,
      })),
      ...(reply.usage_metadata ? { usage_metadata: reply.usage_metadata } : {}),
      ...(reply.id ? { id: reply.id } : {}),
    });
    return { message, text, toolCalls };
  }
}

/** One of our typed errors (HOST_REFUSED, …) somewhere in an SDK error's cause chain. */
function findTyped(err: unknown): Error | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e instanceof Error; depth++) {
    if (typeof (e as { code?: unknown }).code === 'string' && 'exitCode' in e) return e;
    e = e.cause;
  }
  return undefined;
}

/** An HTTP status or a short class of failure; never the provider's message, which may echo the prompt. */
function statusOf(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 6 && e && typeof e === 'object'; depth++) {
    const x = e as {
      status?: unknown;
      statusCode?: unknown;
      response?: { status?: unknown };
      $metadata?: { httpStatusCode?: unknown };
      cause?: unknown;
    };
    const status = x.status ?? x.statusCode ?? x.response?.status ?? x.$metadata?.httpStatusCode;
    if (typeof status === 'number') return `HTTP ${status}`;
    e = x.cause;
  }
  if (err instanceof Error && err.name === 'TimeoutError') return 'no answer in time';
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  return 'no answer';
}
