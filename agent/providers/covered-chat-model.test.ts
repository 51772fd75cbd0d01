import {
  AIMessage,
  ChatMessage,
  FunctionMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { describe, expect, it } from 'vitest';
import type { PhiLevel } from '../endpoints.ts';
import { PhiBoundary } from '../phi/index.ts';
import { CoveredChatModel } from './covered-chat-model.ts';
import { ScriptedChatModel } from './testing/scripted-chat-model.ts';

function wrap(script: AIMessage[], phi: PhiLevel = 'allowed') {
  const inner = new ScriptedChatModel(script);
  const model = CoveredChatModel.wrap(inner, { endpoint: 'scripted', provider: 'scripted', model: 'm', phi });
  return { inner, model };
}

describe('CoveredChatModel', () => {
  it('sends only covered fields: provider extras on earlier replies are dropped', async () => {
    const { inner, model } = wrap([new AIMessage('ok')]);
    const earlier = new AIMessage({
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'server_tool_use', id: 'srv1', name: 'web_search', input: {} },
      ],
      tool_calls: [{ id: 'c1', name: 'search_semantic_model', args: { text: 'encounters' } }],
      additional_kwargs: { cache_control: { type: 'ephemeral' }, citations: ['x'] },
    });
    await model.invoke([
      new SystemMessage('rules'),
      new HumanMessage('q'),
      earlier,
      new ToolMessage({ content: 'found', tool_call_id: 'c1', artifact: { secret: 1 } }),
    ]);
    const sent = inner.received[0]!;
    expect(sent.map((m) => m.type)).toEqual(['system', 'human', 'ai', 'tool']);
    expect(sent[2]!.content).toBe('Let me look.');
    expect(sent[2]!.additional_kwargs).toEqual({});
    expect((sent[3] as ToolMessage).name).toBe('search_semantic_model');
    expect((sent[3] as ToolMessage).artifact).toBeUndefined();
  });

  it('refuses message kinds outside chat and tool results', async () => {
    const { inner, model } = wrap([]);
    await expect(model.invoke([new ChatMessage('hi', 'developer')])).rejects.toMatchObject({
      code: 'FEATURE_NOT_COVERED',
    });
    await expect(
      model.invoke([new FunctionMessage({ content: '{}', name: 'legacy_function' })]),
    ).rejects.toMatchObject({ code: 'FEATURE_NOT_COVERED' });
    await expect(
      model.invoke([
        new HumanMessage({
          content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }],
        }),
      ]),
    ).rejects.toMatchObject({ code: 'INPUT_NOT_COVERED' });
    expect(inner.received).toHaveLength(0);
  });

  it('binds only the offered tools with the requested choice', async () => {
    const { inner, model } = wrap([
      new AIMessage({
        content: '',
        tool_calls: [{ id: 't1', name: 'run_governed_sql', args: { sql: 'SELECT 1' } }],
      }),
    ]);
    const reply = await model.invoke([new HumanMessage('q')], {
      tools: ['run_governed_sql', 'run_governed_sql', 'ask_clarifying_question'],
      toolChoice: 'any',
    });
    expect(reply.toolCalls).toEqual([{ id: 't1', name: 'run_governed_sql', args: { sql: 'SELECT 1' } }]);
    expect(
      (inner.boundTools[0] as Array<{ function: { name: string } }>).map((t) => t.function.name),
    ).toEqual(['run_governed_sql', 'ask_clarifying_question']);
    expect(inner.boundOptions[0]).toEqual({ tool_choice: 'any' });
    expect(reply.message.tool_calls).toHaveLength(1);
  });

  it('rejects tool arguments that do not fit the schema, naming the path only', async () => {
    const { model } = wrap([
      new AIMessage({
        content: '',
        tool_calls: [{ id: 't1', name: 'run_semantic_query', args: { limit: -1, filters: 'Jane Roe' } }],
      }),
    ]);
    const err = await model
      .invoke([new HumanMessage('q')], { tools: ['run_semantic_query'] })
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'TOOL_ARGS_INVALID' });
    expect(String(err.message)).toContain('limit');
    expect(String(err.message)).not.toContain('Jane Roe');
  });

  it('rejects unparseable tool calls and a callTool reply without the call', async () => {
    const { model } = wrap([
      new AIMessage({
        content: '',
        invalid_tool_calls: [
          { id: 'x', name: 'run_governed_sql', args: '{not json', error: 'bad', type: 'invalid_tool_call' },
        ],
      }),
      new AIMessage('I would rather chat.'),
    ]);
    await expect(
      model.invoke([new HumanMessage('q')], { tools: ['run_governed_sql'] }),
    ).rejects.toMatchObject({
      code: 'TOOL_ARGS_INVALID',
    });
    await expect(model.callTool([new HumanMessage('q')], 'ask_clarifying_question')).rejects.toMatchObject({
      code: 'TOOL_ARGS_INVALID',
    });
  });

  it('checks every non-model message against the boundary, and the boundary against the endpoint', async () => {
    const { inner, model } = wrap([new AIMessage('[NAME_1] had 3 visits')], 'deidentified');
    const boundary = new PhiBoundary({ level: 'deidentified', knownIdentifiers: ['Jane Roe'] });
    await expect(
      model.invoke([new HumanMessage('q'), new ToolMessage({ content: 'Jane Roe', tool_call_id: 'x' })], {
        boundary,
      }),
    ).rejects.toMatchObject({ code: 'PHI_OUTBOUND_BLOCKED' });
    await expect(
      model.invoke([new HumanMessage('q')], { boundary: new PhiBoundary({ level: 'allowed' }) }),
    ).rejects.toMatchObject({ code: 'PHI_LEVEL_MISMATCH' });
    expect(inner.received).toHaveLength(0);
    const reply = await model.invoke(
      [new HumanMessage(boundary.prompt({ question: 'visits of Jane Roe' }))],
      {
        boundary,
      },
    );
    expect(boundary.restore(reply.text)).toBe('Jane Roe had 3 visits');
  });

  it('fails a reply with more tool calls or text than one turn takes', async () => {
    const many = new AIMessage({
      content: '',
      tool_calls: Array.from({ length: 5 }, (_, i) => ({
        id: `c${i}`,
        name: 'search_semantic_model',
        args: { text: 'x' },
      })),
    });
    const { model } = wrap([many, new AIMessage('y'.repeat(20_001))]);
    const tools = ['search_semantic_model'] as const;
    await expect(model.invoke([new HumanMessage('q')], { tools })).rejects.toMatchObject({
      code: 'REPLY_TOO_LARGE',
    });
    await expect(model.invoke([new HumanMessage('q')])).rejects.toMatchObject({ code: 'REPLY_TOO_LARGE' });
  });

  it('runs the outbound filter on every role before anything leaves', async () => {
    const { inner, model } = wrap([new AIMessage('ok')], 'none');
    const boundary = new PhiBoundary({ level: 'none', placeholders: { '[NAME_1]': 'Zebulon Canary' } });
    await model.invoke(
      [
        new SystemMessage('rules'),
        new HumanMessage('about xZebulon Canaryx'),
        new AIMessage({
          content: 'Zebulon Canary',
          tool_calls: [{ id: 'c1', name: 'run_governed_sql', args: { sql: 'select "xZebulon Canaryx"' } }],
        }),
        new ToolMessage({ content: 'Binder Error: "xZEBULON CANARYx" not found', tool_call_id: 'c1' }),
      ],
      { boundary },
    );
    const sent = JSON.stringify(inner.received[0]);
    expect(sent).not.toMatch(/zebulon/i);
    expect(sent).toContain('x[NAME_1]x');
  });
});
