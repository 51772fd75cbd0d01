import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HumanMessage } from '@langchain/core/messages';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { PhiLevel } from '../../endpoints.ts';
import { createChatModel } from '../create-chat-model.ts';
import { type FakeEndpoint, startFakeEndpoint } from '../testing/fake-endpoint.ts';
import { runProviderSuite } from '../testing/provider-suite.ts';
import {
  type FakeServiceAccount,
  fakeServiceAccount,
  verifyAssertion,
  vertexForcedTool,
  vertexToolNames,
  vertexWire,
} from '../testing/wire-vertex.ts';

const PROJECT = 'phi-analytics-prod';
const LOCATION = 'europe-west4';
const MODEL = 'gemini-2.5-pro';
const dir = mkdtempSync(join(tmpdir(), 'vertex-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let sa: FakeServiceAccount;
let keyPath: string;

/** A fake server standing in for both aiplatform and oauth2.googleapis.com (through connectTo). */
async function startVertexFake(): Promise<FakeEndpoint> {
  let wire: ReturnType<typeof vertexWire> | undefined;
  const fake = await startFakeEndpoint((req, next) => wire!(req, next));
  sa = fakeServiceAccount(fake.url, PROJECT);
  wire = vertexWire(sa);
  keyPath = join(dir, `sa-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(keyPath, JSON.stringify(sa.keyFile), { mode: 0o600 });
  return fake;
}

const endpoint = (phi: PhiLevel, region = LOCATION, model = MODEL) => ({
  provider: 'google-vertex' as const,
  model,
  region,
  phi,
  baa: { holder: 'Google Cloud', reference: 'GCP BAA', signed: '2024-04-10' },
  retention: 'zero' as const,
  training: 'none' as const,
});
const isModelRequest = (r: { url: string }) => r.url !== '/token';

runProviderSuite({
  provider: 'google-vertex',
  start: startVertexFake,
  endpoint: (_fake, phi) => endpoint(phi),
  options: (fake) => ({ connectTo: fake.url, maxRetries: 0 }),
  // Google's default chain reads process.env. gcp-metadata must never be probed in a test: it would
  // try the link-local metadata server.
  env: () => ({
    GOOGLE_APPLICATION_CREDENTIALS: keyPath,
    METADATA_SERVER_DETECTION: 'none',
    GOOGLE_CLOUD_PROJECT: '',
    GCLOUD_PROJECT: '',
  }),
  origins: () => [`https://${LOCATION}-aiplatform.googleapis.com`, 'https://oauth2.googleapis.com'],
  isModelRequest,
  assertModelRequest(req) {
    expect(req.host).toBe(`${LOCATION}-aiplatform.googleapis.com`);
    expect(req.url).toBe(
      `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:generateContent`,
    );
    expect(req.headers.authorization).toBe(`Bearer ${sa.accessToken}`);
  },
  toolNames: vertexToolNames,
  forcedTool: vertexForcedTool,
});

describe('google-vertex specifics', () => {
  it('gets its token with a signed assertion from Google token endpoint, then calls the pinned location', async () => {
    const fake = await startVertexFake();
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', keyPath);
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    const model = createChatModel('gemini', endpoint('allowed'), { connectTo: fake.url, maxRetries: 0 });
    try {
      fake.script.push({ text: 'ok' });
      await model.invoke([new HumanMessage('hi')]);
      expect(fake.requests.map((r) => [r.host, r.url])).toEqual([
        ['oauth2.googleapis.com', '/token'],
        [
          `${LOCATION}-aiplatform.googleapis.com`,
          `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models/${MODEL}:generateContent`,
        ],
      ]);
      const assertion = new URLSearchParams(fake.requests[0]!.body).get('assertion')!;
      const claims = verifyAssertion(assertion, sa.publicKey);
      expect(claims).toMatchObject({
        iss: sa.keyFile.client_email,
        // google-auth-library always uses Google's token endpoint, whatever token_uri says.
        aud: 'https://oauth2.googleapis.com/token',
        scope: 'https://www.googleapis.com/auth/cloud-platform',
      });
    } finally {
      vi.unstubAllEnvs();
      await model.close();
      await fake.close();
    }
  });

  it('refuses a location that is not one region, and models other than Gemini', () => {
    expect(() => createChatModel('g', endpoint('allowed', 'global'))).toThrow(
      expect.objectContaining({ code: 'ENDPOINT_INVALID' }),
    );
    expect(() => createChatModel('g', endpoint('allowed', LOCATION, 'claude-sonnet-4'))).toThrow(
      expect.objectContaining({ code: 'ENDPOINT_INVALID' }),
    );
  });
});
