import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hasCode } from '../../../core/index.ts';
import type { EndpointConfig, PhiLevel, ProviderName } from '../../endpoints.ts';
import { DATA_HANDLING_RULES, PhiBoundary } from '../../phi/index.ts';
import { ANALYST_TOOL_NAMES, type AnalystToolName } from '../../tools.ts';
import type { CoveredChatModel } from '../covered-chat-model.ts';
import { type CreateChatModelOptions, createChatModel } from '../create-chat-model.ts';
import { TRACING_VARIABLES } from '../tracing.ts';
import {
  type FakeEndpoint,
  jsonBody,
  type RecordedRequest,
  startFakeEndpoint,
  type WireResponder,
} from './fake-endpoint.ts';
import { openaiWire } from './wire-openai.ts';

/** How one provider is exercised by the shared suite. */
export interface ProviderSuiteSpec {
  provider: ProviderName;
  /** Start the fake endpoint speaking this provider's wire protocol. */
  start(): Promise<FakeEndpoint>;
  /** The endpoint under test, at a PHI level. */
  endpoint(fake: FakeEndpoint, phi: PhiLevel): EndpointConfig;
  /** createChatModel options: connectTo the fake, credentials, no retries. */
  options(fake: FakeEndpoint): CreateChatModelOptions;
  /** process.env entries the provider's default credential chain reads (stubbed for the suite). */
  env?(fake: FakeEndpoint): Record<string, string>;
  /** The origins the guarded transport must allow, and nothing else. */
  origins(fake: FakeEndpoint): string[];
  /** The right host, path, region/location, deployment and credentials on a model request. */
  assertModelRequest(req: RecordedRequest, body: Record<string, unknown>): void;
  /** Whether a recorded request is a model call (Vertex also sees token requests). */
  isModelRequest?(req: RecordedRequest): boolean;
  toolNames(body: Record<string, unknown>): string[];
  forcedTool(body: Record<string, unknown>): string | undefined;
}

export const CANARY = {
  name: 'Zebulon Quartzfield',
  ssn: '987-65-4329',
  mrn: '7735194',
  phone: '(555) 867-5309',
  email: 'zebulon.q@example.org',
  birthDate: '1931-07-14',
  zip: '02139',
} as const;

const SCHEMA = {
  cubes: [
    {
      name: 'visits',
      measures: [{ name: 'visits.count', title: 'Visits', type: 'count' }],
      dimensions: [
        { name: 'visits.started_at', title: 'Start', type: 'time' },
        { name: 'members.name', title: 'Member name', type: 'string' },
      ],
    },
  ],
};

/**
 * The conformance suite every provider passes against its fake endpoint: wire protocol and
 * routing, tool round-trips for our tools only, fail-closed refusals before anything is sent, the
 * guarded transport, and the PHI canary check for `phi: none` and `deidentified` endpoints.
 */
export function runProviderSuite(spec: ProviderSuiteSpec): void {
  describe(`provider conformance: ${spec.provider}`, () => {
    let fake: FakeEndpoint;
    let decoy: FakeEndpoint;
    const models: CoveredChatModel[] = [];
    const model = (phi: PhiLevel = 'allowed') => {
      const m = createChatModel(`test-${spec.provider}`, spec.endpoint(fake, phi), spec.options(fake));
      models.push(m);
      return m;
    };
    const modelRequests = () => fake.requests.filter((r) => spec.isModelRequest?.(r) ?? true);
    const lastBody = () => jsonBody(modelRequests().at(-1)!);

    beforeAll(async () => {
      fake = await spec.start();
      decoy = await startFakeEndpoint(openaiWire(/.*/));
      for (const name of TRACING_VARIABLES) vi.stubEnv(name, '');
      for (const [k, v] of Object.entries(spec.env?.(fake) ?? {})) vi.stubEnv(k, v);
    });
    afterEach(() => {
      fake.script.length = 0;
    });
    afterAll(async () => {
      for (const m of models) await m.close();
      vi.unstubAllEnvs();
      await fake.close();
      await decoy.close();
    });

    it('sends a chat turn to the configured host, path and region, and reads the reply', async () => {
      fake.script.push({ text: 'There were 42 encounters.' });
      const reply = await model().invoke([
        new SystemMessage('Be brief.'),
        new HumanMessage('How many encounters?'),
      ]);
      expect(reply.text).toBe('There were 42 encounters.');
      expect(reply.toolCalls).toEqual([]);
      const req = modelRequests().at(-1)!;
      spec.assertModelRequest(req, jsonBody(req));
      expect(req.body).toContain('How many encounters?');
    });

    it('round-trips a call to our tools and sends the tool result back', async () => {
      const args = {
        measures: ['visits.count'],
        timeDimensions: [{ dimension: 'visits.started_at', granularity: 'year', dateRange: ['last year'] }],
        order: [{ member: 'visits.count', direction: 'desc' }],
      };
      fake.script.push({ toolCall: { name: 'run_semantic_query', args } }, { text: 'Done: 42.' });
      const m = model();
      const history = [new HumanMessage('Encounters last year?')];
      const first = await m.invoke(history, { tools: ANALYST_TOOL_NAMES });
      expect(spec.toolNames(lastBody()).sort()).toEqual([...ANALYST_TOOL_NAMES].sort());
      expect(first.toolCalls).toHaveLength(1);
      const call = first.toolCalls[0]!;
      expect(call.name).toBe('run_semantic_query');
      expect(call.args).toEqual(args);
      const second = await m.invoke(
        [
          ...history,
          first.message,
          new ToolMessage({ content: 'rows: 1 (tool-result-7f3a)', tool_call_id: call.id }),
        ],
        { tools: ANALYST_TOOL_NAMES },
      );
      expect(second.text).toBe('Done: 42.');
      expect(modelRequests().at(-1)!.body).toContain('tool-result-7f3a');
    });

    it("carries the interpreter's logical form through submit_interpretation, and refuses a hostile one", async () => {
      const args = {
        kind: 'distribution',
        cube: 'visits',
        filters: [{ member: 'visits.setting', op: 'in', values: ['urgent'] }],
        time: { member: 'visits.started_at', from: '2021-01-01', to: '2021-12-31', label: '2021' },
        value: 'visits.charge',
        stat: 'percentile',
        p: 90,
      };
      fake.script.push({ toolCall: { name: 'submit_interpretation', args } });
      const m = model();
      const reply = await m.invoke([new HumanMessage('p90 claim cost of emergency visits in 2021')], {
        tools: ['submit_interpretation'],
        toolChoice: 'any',
      });
      expect(spec.toolNames(lastBody())).toEqual(['submit_interpretation']);
      expect(reply.toolCalls).toEqual([expect.objectContaining({ name: 'submit_interpretation', args })]);
      // A kind the form does not have, and SQL smuggled into a field of its own: refused, typed.
      fake.script.push({
        toolCall: {
          name: 'submit_interpretation',
          args: { kind: 'raw_sql', cube: 'visits', sql: 'DROP TABLE members' },
        },
      });
      const hostile = m.invoke([new HumanMessage('p90 claim cost')], {
        tools: ['submit_interpretation'],
        toolChoice: 'any',
      });
      await expect(hostile).rejects.toSatisfy((e: unknown) => hasCode(e, 'TOOL_ARGS_INVALID'));
    });

    it('gives structured output by forcing one of our tools', async () => {
      const args = { question: 'Which year?', options: ['2019', '2020'] };
      fake.script.push({ toolCall: { name: 'ask_clarifying_question', args } });
      const out = await model().callTool(
        [new HumanMessage('encounters in that year')],
        'ask_clarifying_question',
      );
      expect(out.args).toEqual(args);
      expect(spec.forcedTool(lastBody())).toBe('ask_clarifying_question');
      expect(spec.toolNames(lastBody())).toEqual(['ask_clarifying_question']);
    });

    it('refuses tools, inputs and options outside the pinned surface before anything is sent', async () => {
      const m = model();
      const before = fake.requests.length;
      const q = [new HumanMessage('hello')];
      const refusals: Array<[Promise<unknown>, string]> = [
        [m.invoke(q, { tools: ['web_search' as AnalystToolName] }), 'TOOL_NOT_COVERED'],
        [
          m.invoke(q, { tools: [{ type: 'code_interpreter' } as unknown as AnalystToolName] }),
          'TOOL_NOT_COVERED',
        ],
        [
          m.invoke(q, { tools: ['run_governed_sql'], toolChoice: 'python' as AnalystToolName }),
          'TOOL_NOT_COVERED',
        ],
        [
          m.invoke([new AIMessage({ content: '', tool_calls: [{ id: 'x', name: 'shell', args: {} }] })]),
          'TOOL_NOT_COVERED',
        ],
        [
          m.invoke([
            new HumanMessage({
              content: [
                { type: 'text', text: 'what is in this scan?' },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
              ],
            }),
          ]),
          'INPUT_NOT_COVERED',
        ],
        [
          m.invoke([
            new HumanMessage({ content: [{ type: 'file', mimeType: 'application/pdf', data: 'AAAA' }] }),
          ]),
          'INPUT_NOT_COVERED',
        ],
        [m.invoke(q, { response_format: { type: 'json_object' } } as never), 'FEATURE_NOT_COVERED'],
      ];
      for (const [promise, code] of refusals) {
        const err = await promise.then(
          () => null,
          (e: unknown) => e,
        );
        expect(hasCode(err, code), `${String(err)} should have code ${code}`).toBe(true);
      }
      expect(fake.requests.length).toBe(before);
    });

    it('fails closed when the model calls a tool it was not offered', async () => {
      fake.script.push({ toolCall: { name: 'run_governed_sql', args: { sql: 'SELECT 1' } } });
      const err = await model()
        .invoke([new HumanMessage('hi')], { tools: ['search_semantic_model'] })
        .catch((e: unknown) => e);
      expect(hasCode(err, 'TOOL_NOT_COVERED')).toBe(true);
    });

    it('reports an endpoint error by status, without echoing the prompt', async () => {
      fake.script.push({ error: 400, message: 'bad request near "secret-prompt-words"' });
      const err = await model()
        .invoke([new HumanMessage('secret-prompt-words')])
        .catch((e: unknown) => e);
      expect(hasCode(err, 'MODEL_CALL_FAILED')).toBe(true);
      expect(String((err as Error).message)).toContain('HTTP 400');
      expect(String((err as Error).message)).not.toContain('secret-prompt-words');
    });

    it('contacts only the endpoint: the guarded transport refuses every other host', async () => {
      const m = model();
      expect([...m.transport!.allowedOrigins].sort()).toEqual(spec.origins(fake).sort());
      for (const url of [`${decoy.url}/v1/chat/completions`, 'https://api.example.com/v1/messages']) {
        const err = await m.transport!.fetch(url, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
        expect(hasCode(err, 'HOST_REFUSED')).toBe(true);
      }
      expect(decoy.requests).toHaveLength(0);
    });

    it('fails closed while LangChain tracing is switched on', async () => {
      vi.stubEnv('LANGSMITH_TRACING', 'true');
      try {
        expect(() => model()).toThrow(expect.objectContaining({ code: 'TRACING_ENABLED' }));
      } finally {
        vi.stubEnv('LANGSMITH_TRACING', '');
      }
    });

    it('phi: none — needs a boundary, and no identifier from the data reaches any request body', async () => {
      const m = model('none');
      const before = fake.requests.length;
      const noBoundary = await m.invoke([new HumanMessage('hi')]).catch((e: unknown) => e);
      expect(hasCode(noBoundary, 'PHI_BOUNDARY_REQUIRED')).toBe(true);

      const boundary = new PhiBoundary({ level: 'none', knownIdentifiers: [CANARY.name] });
      // A raw identifier that skipped the boundary's preparation is still stopped at the door.
      const leak = await m
        .invoke([new HumanMessage(`notes for ${CANARY.email}`)], { boundary })
        .catch((e: unknown) => e);
      expect(hasCode(leak, 'PHI_OUTBOUND_BLOCKED')).toBe(true);
      expect(fake.requests.length).toBe(before);

      const question = `How many encounters did ${CANARY.name} (SSN ${CANARY.ssn}, MRN ${CANARY.mrn}, phone ${CANARY.phone}) have in 2019?`;
      fake.script.push(
        {
          toolCall: {
            name: 'run_semantic_query',
            args: {
              measures: ['visits.count'],
              filters: [{ member: 'members.name', operator: 'equals', values: ['[NAME_1]'] }],
            },
          },
        },
        { text: '[NAME_1] had some encounters in 2019.' },
      );
      const history = [
        new SystemMessage(DATA_HANDLING_RULES),
        new HumanMessage(
          boundary.prompt({
            question,
            schema: SCHEMA,
            valueMatches: [{ dimension: 'members.name', value: CANARY.name }],
          }),
        ),
      ];
      const first = await m.invoke(history, { tools: ANALYST_TOOL_NAMES, boundary });
      const call = first.toolCalls[0]!;
      // Placeholders come back to real values only here, locally, before the query runs.
      expect(boundary.restore(call.args)).toMatchObject({ filters: [{ values: [CANARY.name] }] });
      const result = {
        columns: [
          { name: 'members.name', type: 'VARCHAR' },
          { name: 'members.ssn', type: 'VARCHAR' },
          { name: 'members.mrn', type: 'VARCHAR' },
          { name: 'members.email', type: 'VARCHAR' },
          { name: 'members.birthdate', type: 'DATE' },
          { name: 'members.zip', type: 'VARCHAR' },
          { name: 'visits.count', type: 'BIGINT' },
        ],
        rows: [[CANARY.name, CANARY.ssn, CANARY.mrn, CANARY.email, CANARY.birthDate, CANARY.zip, 3n]],
      };
      const second = await m.invoke(
        [
          ...history,
          first.message,
          new ToolMessage({ content: boundary.result(result), tool_call_id: call.id }),
        ],
        { tools: ANALYST_TOOL_NAMES, boundary },
      );
      expect(boundary.restore(second.text)).toBe(`${CANARY.name} had some encounters in 2019.`);
      const sent = fake.requests.slice(before);
      expect(sent.filter((r) => spec.isModelRequest?.(r) ?? true)).toHaveLength(2);
      expect(sent.at(-1)!.body).toContain('withheld');
      assertNoCanary(sent);
    });

    it('phi: deidentified — result rows leave only after Safe Harbor and small-cell suppression', async () => {
      const m = model('deidentified');
      const before = fake.requests.length;
      const boundary = new PhiBoundary({ level: 'deidentified', knownIdentifiers: [CANARY.name] });
      fake.script.push({ text: 'One patient born [about 1931], fewer than 11 encounters.' });
      const rows = {
        columns: [
          { name: 'members.name', type: 'VARCHAR' },
          { name: 'members.ssn', type: 'VARCHAR' },
          { name: 'members.birthdate', type: 'DATE' },
          { name: 'members.zip', type: 'VARCHAR' },
          { name: 'members.note', type: 'VARCHAR', phi: 'none' as const },
          { name: 'visits.count', type: 'BIGINT' },
        ],
        rows: [[CANARY.name, CANARY.ssn, CANARY.birthDate, CANARY.zip, `call ${CANARY.phone}`, 3n]],
      };
      await m.invoke(
        [new HumanMessage(boundary.prompt({ question: `Encounters of ${CANARY.name}?`, result: rows }))],
        {
          boundary,
        },
      );
      const body = fake.requests.slice(before).at(-1)!.body;
      expect(body).toContain('021');
      expect(body).toContain('\\u003c11');
      assertNoCanary(fake.requests.slice(before));
    });
  });
}

/** No canary identifier, in any spelling a JSON body could carry it, in any request. */
export function assertNoCanary(requests: readonly RecordedRequest[]): void {
  const needles = [
    CANARY.name,
    CANARY.name.toLowerCase(),
    'Quartzfield',
    CANARY.ssn,
    CANARY.ssn.replace(/-/g, ''),
    CANARY.mrn,
    CANARY.phone,
    '867-5309',
    CANARY.email,
    CANARY.birthDate,
    CANARY.zip,
  ];
  for (const r of requests) {
    const haystack = `${r.url}\n${r.body}`;
    for (const n of needles) expect(haystack.includes(n), `request to ${r.url} carries "${n}"`).toBe(false);
  }
}

export type { WireResponder };
