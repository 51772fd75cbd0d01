import type { BaseLanguageModelInput } from '@langchain/core/language_models/base';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { AIMessage, type AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { Runnable } from '@langchain/core/runnables';

/**
 * A chat model that answers from a script and records what it was sent: the stand-in for a model
 * endpoint in unit tests (wrap it with CoveredChatModel.wrap).
 *
 * @example new ScriptedChatModel([new AIMessage('hello')])
 */
export class ScriptedChatModel extends BaseChatModel {
  readonly received: BaseMessage[][] = [];
  readonly boundTools: unknown[][] = [];
  readonly boundOptions: unknown[] = [];

  constructor(
    private readonly script: AIMessage[],
    params: BaseChatModelParams = {},
  ) {
    super(params);
  }

  _llmType(): string {
    return 'scripted';
  }

  override bindTools(
    tools: BindToolsInput[],
    kwargs?: Partial<BaseChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    this.boundTools.push(tools);
    this.boundOptions.push(kwargs);
    return this;
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.received.push(messages);
    const next = this.script.shift() ?? new AIMessage('');
    return { generations: [{ message: next, text: typeof next.content === 'string' ? next.content : '' }] };
  }
}
