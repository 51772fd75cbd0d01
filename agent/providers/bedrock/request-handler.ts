import type { GuardedFetch } from '../guarded-fetch.ts';

/** The parts of the AWS SDK's HttpRequest this handler reads. */
interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number | undefined;
  path: string;
  query?: Record<string, string | Array<string> | null> | undefined;
  headers: Record<string, string>;
  body?: unknown;
}

/** The response shape the AWS SDK's deserializers accept (a Uint8Array body is collected as is). */
interface SdkHttpResponse {
  statusCode: number;
  reason?: string | undefined;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * An AWS SDK request handler that sends through the endpoint's guarded fetch, so the Bedrock client
 * (already SigV4-signed for the regional host) can reach nothing else. The AWS credential chain
 * keeps its own clients; only model traffic passes here.
 *
 * @example new ChatBedrockConverse({ region, clientOptions: { requestHandler: new GuardedAwsRequestHandler(fetch) } })
 */
export class GuardedAwsRequestHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  constructor(private readonly fetch: GuardedFetch) {}

  async handle(
    request: SdkHttpRequest,
    options: { abortSignal?: unknown } = {},
  ): Promise<{ response: SdkHttpResponse }> {
    const origin = new URL(
      `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
    ).origin;
    // The SDK signed the path as it encoded it: keep its bytes, no re-encoding.
    const query = encodeQuery(request.query ?? {});
    const target = `${origin}${request.path}${query ? `?${query}` : ''}`;
    const body = toBody(request.body);
    const res = await this.fetch(target, {
      method: request.method,
      headers: request.headers,
      ...(body !== undefined ? { body } : {}),
      // The SDK's own AbortSignal type is structural; a real one is what reaches us in Node.
      ...(options.abortSignal instanceof AbortSignal ? { signal: options.abortSignal } : {}),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      headers[key] = value;
    });
    return {
      response: {
        statusCode: res.status,
        reason: res.statusText,
        headers,
        body: new Uint8Array(await res.arrayBuffer()),
      },
    };
  }

  updateHttpClientConfig(): void {}
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }
  destroy(): void {}
}

function encodeQuery(query: Record<string, string | Array<string> | null>): string {
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const k = encodeURIComponent(key);
    if (value === null || value === undefined) parts.push(k);
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`${k}=${encodeURIComponent(v)}`);
  }
  return parts.join('&');
}

function toBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  // Converse sends JSON strings; streams and blobs are not part of the covered surface.
  throw new TypeError('Only string and byte request bodies are supported.');
}
