import type { RecordedRequest, ScriptedReply, WireResponder } from './fake-endpoint.ts';

/** Anthropic Messages: POST /v1/messages → a message object. */
export const anthropicWire: WireResponder = (req: RecordedRequest, next: () => ScriptedReply) => {
  if (req.method !== 'POST' || req.url.split('?')[0] !== '/v1/messages') {
    return {
      status: 404,
      body: JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }),
    };
  }
  const body = JSON.parse(req.body) as { model?: string };
  const reply = next();
  if ('error' in reply) {
    return {
      status: reply.error,
      body: JSON.stringify({
        type: 'error',
        error: { type: 'invalid_request_error', message: reply.message },
      }),
    };
  }
  const content =
    'text' in reply
      ? [{ type: 'text', text: reply.text }]
      : [{ type: 'tool_use', id: 'toolu_fake1', name: reply.toolCall.name, input: reply.toolCall.args }];
  return {
    status: 200,
    body: JSON.stringify({
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model: body.model,
      content,
      stop_reason: 'text' in reply ? 'end_turn' : 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 11, output_tokens: 7 },
    }),
  };
};

export function anthropicToolNames(body: Record<string, unknown>): string[] {
  return ((body.tools ?? []) as Array<{ name: string }>).map((t) => t.name);
}

export function anthropicForcedTool(body: Record<string, unknown>): string | undefined {
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  return choice?.type === 'tool' ? choice.name : undefined;
}
