// The suites against a model endpoint (a scripted stand-in behind the covered wrapper): what the
// graph actually sends a phi: none endpoint holds no canary, and the same question does reach an
// endpoint cleared for PHI — so the check looks at real traffic, not at nothing.
import type { BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { describe, expect, it } from 'vitest';
import { CoveredChatModel } from '../agent/index.ts';
import { SYNTHEA_CSV_DIR } from '../semantic/testing/index.ts';
import { runEvals } from './index.ts';

/** Always plans the same semantic query, and keeps every message it was sent. */
class FixedPlanModel extends BaseChatModel {
  readonly received: BaseMessage[][] = [];
  constructor(params: BaseChatModelParams = {}) {
    super(params);
  }
  _llmType(): string {
    return 'fixed-plan';
  }
  override bindTools(): this {
    return this;
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.received.push(messages);
    const message = new AIMessage({
      content: '',
      tool_calls: [
        {
          id: `t${this.received.length}`,
          name: 'run_semantic_query',
          args: { measures: ['patients.count'] },
        },
      ],
    });
    return { generations: [{ message, text: '' }] };
  }
}

function endpoint(phi: 'none' | 'allowed') {
  const inner = new FixedPlanModel();
  const model = CoveredChatModel.wrap(inner, {
    endpoint: `fixed-${phi}`,
    provider: 'scripted',
    model: 'fixed-1',
    phi,
  });
  const sent = () =>
    inner.received
      .flat()
      .map((m) => String(m.content))
      .join('\n');
  return { model, sent };
}

describe('eval suites against a model endpoint', () => {
  it('no canary reaches a phi: none endpoint; the run is labelled with the endpoint', async () => {
    const { model, sent } = endpoint('none');
    const { summary, run } = await runEvals({ dataDir: SYNTHEA_CSV_DIR, suites: ['phi-egress'], model });
    expect(run.endpoint).toBe('fixed-none');
    expect(summary.categories.phi_egress?.cases).toBeGreaterThanOrEqual(10);
    expect(summary.failures.filter((f) => /canary/.test(f.reason))).toEqual([]);
    const text = sent();
    expect(text).toContain('Question:');
    for (const canary of ['Zebulon', 'Quillfeather', '999-41-2873', 'c4a1e7d0-5b7f-4c2e-9a31-0c0ffee0ca7a'])
      expect(text).not.toContain(canary);
  }, 120_000);

  it('an endpoint cleared for PHI does receive the name (what the check would catch below it)', async () => {
    const { model, sent } = endpoint('allowed');
    await runEvals({ dataDir: SYNTHEA_CSV_DIR, suites: ['phi-egress'], model });
    expect(sent()).toContain('Zebulon Quillfeather');
  }, 120_000);
});
