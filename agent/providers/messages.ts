import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { isAnalystToolName } from '../tools.ts';
import { NotCoveredError } from './errors.ts';

/** The text of a message's content; anything but text fails closed. */
export function textOf(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw new NotCoveredError('INPUT_NOT_COVERED', `Content of a ${where} message`);
  return content
    .map((block: unknown) => {
      if (typeof block === 'string') return block;
      const b = block as { type?: unknown; text?: unknown };
      if (b && b.type === 'text' && typeof b.text === 'string') return b.text;
      const type = typeof b?.type === 'string' ? b.type : 'unknown';
      throw new NotCoveredError('INPUT_NOT_COVERED', `A "${type}" content block in a ${where} message`);
    })
    .join('');
}

/**
 * Rebuild messages from their covered fields only: text content, our tool calls and their ids.
 * Provider extras riding on earlier replies (cache hints, citations, server-tool blocks, reasoning
 * signatures) are dropped rather than sent back; images, files and audio fail closed.
 *
 * @example toCoveredMessages([new HumanMessage('How many patients?')])
 */
export function toCoveredMessages(messages: readonly BaseMessage[]): BaseMessage[] {
  // Tool results carry the tool's name too: Gemini's functionResponse needs it.
  const toolNames = new Map<string, string>();
  return messages.map((m) => {
    const type = m.type;
    switch (type) {
      case 'system':
        return new SystemMessage(textOf(m.content, 'system'));
      case 'human':
        return new HumanMessage(textOf(m.content, 'human'));
      case 'ai': {
        const ai = m as AIMessage;
        const calls = ai.tool_calls ?? [];
        for (const c of calls) {
          if (!isAnalystToolName(c.name))
            throw new NotCoveredError('TOOL_NOT_COVERED', `A call to tool "${c.name}"`);
          if (c.id) toolNames.set(c.id, c.name);
        }
        // Some providers put text beside tool calls in content blocks; keep the text only.
        const text = textOfReply(ai.content);
        return new AIMessage({
          content: text,
          tool_calls: calls.map((c) => ({
            id: c.id,
            name: c.name,
            args: c.args,
            type: 'tool_call' as const,
          })),
        });
      }
      case 'tool': {
        const t = m as ToolMessage;
        const name = toolNames.get(t.tool_call_id);
        return new ToolMessage({
          content: textOf(t.content, 'tool'),
          tool_call_id: t.tool_call_id,
          ...(name ? { name } : {}),
        });
      }
      default:
        throw new NotCoveredError('FEATURE_NOT_COVERED', `A "${type}" message`);
    }
  });
}

/** The text of a model reply: text blocks kept, tool-use and reasoning blocks skipped. */
export function textOfReply(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) => {
      const b = block as { type?: unknown; text?: unknown };
      return b && b.type === 'text' && typeof b.text === 'string' ? b.text : '';
    })
    .join('');
}

/**
 * The same covered messages with every text (content of every role, tool-call arguments, tool
 * results) passed through `filter`: the PHI boundary's one outbound filter.
 *
 * @example filterMessages(covered, (s) => boundary.outbound(s), (v) => boundary.outboundDeep(v))
 */
export function filterMessages(
  messages: readonly BaseMessage[],
  filter: (text: string) => string,
  filterArgs: <T>(args: T) => T,
): BaseMessage[] {
  return messages.map((m) => {
    const text = filter(typeof m.content === 'string' ? m.content : textOfReply(m.content));
    switch (m.type) {
      case 'system':
        return new SystemMessage(text);
      case 'ai': {
        const ai = m as AIMessage;
        return new AIMessage({
          content: text,
          tool_calls: (ai.tool_calls ?? []).map((c) => ({ ...c, args: filterArgs(c.args) })),
        });
      }
      case 'tool': {
        const t = m as ToolMessage;
        return new ToolMessage({
          content: text,
          tool_call_id: t.tool_call_id,
          ...(t.name ? { name: t.name } : {}),
        });
      }
      default:
        return new HumanMessage(text);
    }
  });
}
