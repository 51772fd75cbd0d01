import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { RecordedRequest, ScriptedReply, WireResponder } from './fake-endpoint.ts';

/** A throwaway service account: its key file (token_uri on the fake server) and its public key. */
export interface FakeServiceAccount {
  keyFile: Record<string, string>;
  publicKey: KeyObject;
  accessToken: string;
}

/**
 * Make a service-account key file whose token_uri points at the fake server.
 *
 * @example const sa = fakeServiceAccount('http://127.0.0.1:1234', 'demo-project');
 */
export function fakeServiceAccount(serverUrl: string, projectId: string): FakeServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyFile: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'fake-key-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: `analyst@${projectId}.iam.gserviceaccount.com`,
      client_id: '1234567890',
      token_uri: `${serverUrl}/token`,
      universe_domain: 'googleapis.com',
    },
    publicKey,
    accessToken: `ya29.fake-${Math.random().toString(36).slice(2)}`,
  };
}

function b64url(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Verify an RS256 JWT assertion against the service account's public key; return its claims. */
export function verifyAssertion(jwt: string, publicKey: KeyObject): Record<string, unknown> | null {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return null;
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKey, b64url(s));
  return ok ? (JSON.parse(b64url(p).toString('utf8')) as Record<string, unknown>) : null;
}

/**
 * Google OAuth's token endpoint (JWT bearer grant) and Vertex AI's generateContent:
 * POST /v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent.
 */
export function vertexWire(sa: FakeServiceAccount): WireResponder {
  return (req: RecordedRequest, next: () => ScriptedReply) => {
    const path = req.url.split('?')[0] ?? '';
    if (path === '/token') {
      const form = new URLSearchParams(req.body);
      const claims = verifyAssertion(form.get('assertion') ?? '', sa.publicKey);
      if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !claims) {
        return { status: 400, body: JSON.stringify({ error: 'invalid_grant' }) };
      }
      return {
        status: 200,
        body: JSON.stringify({ access_token: sa.accessToken, expires_in: 3600, token_type: 'Bearer' }),
      };
    }
    if (
      !/^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/[^/:]+:generateContent$/.test(
        path,
      )
    ) {
      return {
        status: 404,
        body: JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }),
      };
    }
    if (req.headers.authorization !== `Bearer ${sa.accessToken}`) {
      return { status: 401, body: JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED' } }) };
    }
    const reply = next();
    if ('error' in reply) {
      return {
        status: reply.error,
        body: JSON.stringify({
          error: { code: reply.error, message: reply.message, status: 'INVALID_ARGUMENT' },
        }),
      };
    }
    const parts =
      'text' in reply
        ? [{ text: reply.text }]
        : [{ functionCall: { name: reply.toolCall.name, args: reply.toolCall.args } }];
    return {
      status: 200,
      body: JSON.stringify({
        candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 7, totalTokenCount: 18 },
        modelVersion: 'gemini-fake',
      }),
    };
  };
}

export function vertexToolNames(body: Record<string, unknown>): string[] {
  const tools = (body.tools ?? []) as Array<{ functionDeclarations?: Array<{ name: string }> }>;
  return tools.flatMap((t) => (t.functionDeclarations ?? []).map((f) => f.name));
}

export function vertexForcedTool(body: Record<string, unknown>): string | undefined {
  const config = body.toolConfig as
    | { functionCallingConfig?: { mode?: string; allowedFunctionNames?: string[] } }
    | undefined;
  const fc = config?.functionCallingConfig;
  return fc?.mode === 'ANY' && fc.allowedFunctionNames?.length === 1 ? fc.allowedFunctionNames[0] : undefined;
}
