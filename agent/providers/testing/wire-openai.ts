import type { RecordedRequest, ScriptedReply, WireResponder } from './fake-endpoint.ts';

/**
 * OpenAI Chat Completions (also Azure OpenAI's deployments route and OpenAI-compatible servers):
 * POST .../chat/completions → a chat.completion object.
 */
export function openaiWire(pathPattern: RegExp): WireResponder {
  return (req: RecordedRequest, next: () => ScriptedReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (req.method !== 'POST' || !pathPattern.test(path)) {
      return {
        status: 404,
        body: JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }),
      };
    }
    const body = JSON.parse(req.body) as { model?: string };
    const reply = next();
    if ('error' in reply) {
      return {
        status: reply.error,
        body: JSON.stringify({
          error: { message: reply.message, type: 'invalid_request_error', code: null },
        }),
      };
    }
    const message =
      'text' in reply
        ? { role: 'assistant', content: reply.text }
        : {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: `call_${Math.random().toString(36).slice(2, 10)}`,
                type: 'function',
                function: { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.args) },
              },
            ],
          };
    return {
      status: 200,
      body: JSON.stringify({
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: body.model ?? 'deployment',
        choices: [
          { index: 0, message, logprobs: null, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' },
        ],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      }),
    };
  };
}

/** Tool names offered in a Chat Completions request. */
export function openaiToolNames(body: Record<string, unknown>): string[] {
  const tools = (body.tools ?? []) as Array<{ function: { name: string } }>;
  return tools.map((t) => t.function.name);
}

/** The tool a Chat Completions request forces, if any. */
export function openaiForcedTool(body: Record<string, unknown>): string | undefined {
  const choice = body.tool_choice as { function?: { name?: string } } | string | undefined;
  return typeof choice === 'object' ? choice.function?.name : undefined;
}
