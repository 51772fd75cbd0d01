import type { RecordedRequest, ScriptedReply, WireResponder } from './fake-endpoint.ts';

/** Bedrock Runtime Converse: POST /model/{modelId}/converse → a ConverseResponse. */
export const bedrockWire: WireResponder = (req: RecordedRequest, next: () => ScriptedReply) => {
  if (req.method !== 'POST' || !/^\/model\/[^/]+\/converse$/.test(req.url.split('?')[0] ?? '')) {
    return {
      status: 404,
      headers: { 'x-amzn-errortype': 'UnknownOperationException' },
      body: JSON.stringify({ message: 'Unknown operation' }),
    };
  }
  const reply = next();
  if ('error' in reply) {
    return {
      status: reply.error,
      headers: {
        'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      },
      body: JSON.stringify({ message: reply.message }),
    };
  }
  const content =
    'text' in reply
      ? [{ text: reply.text }]
      : [{ toolUse: { toolUseId: 'tooluse_fake1', name: reply.toolCall.name, input: reply.toolCall.args } }];
  return {
    status: 200,
    body: JSON.stringify({
      output: { message: { role: 'assistant', content } },
      stopReason: 'text' in reply ? 'end_turn' : 'tool_use',
      usage: { inputTokens: 11, outputTokens: 7, totalTokens: 18 },
      metrics: { latencyMs: 5 },
    }),
  };
};

export function bedrockToolNames(body: Record<string, unknown>): string[] {
  const config = body.toolConfig as { tools?: Array<{ toolSpec: { name: string } }> } | undefined;
  return (config?.tools ?? []).map((t) => t.toolSpec.name);
}

export function bedrockForcedTool(body: Record<string, unknown>): string | undefined {
  const config = body.toolConfig as { toolChoice?: { tool?: { name?: string } } } | undefined;
  return config?.toolChoice?.tool?.name;
}
