import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { Readable, Transform } from 'node:stream';
import { HostRefusedError, ProviderError } from './errors.ts';

/** The `fetch` signature every SDK we use accepts. */
export type GuardedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch bound to the origins of one endpoint, with the sockets it keeps open. */
export interface GuardedTransport {
  /** scheme://host[:port] values requests may go to; everything else is refused. */
  readonly allowedOrigins: readonly string[];
  readonly fetch: GuardedFetch;
  /** Close kept-alive sockets. */
  close(): void;
}

export interface GuardedTransportOptions {
  allowedOrigins: readonly string[];
  /**
   * Connect every allowed request to this loopback address (`http://127.0.0.1:PORT`) instead of
   * resolving its host, keeping the URL path and the Host header as they were — like curl's
   * --connect-to. This is how a fake endpoint on this machine receives exactly what the real host
   * would (Host header, signed path). Loopback only; never set from analyst.yaml.
   */
  connectTo?: string | undefined;
  /** Per-request socket timeout in milliseconds (default 120 s). */
  timeoutMs?: number | undefined;
  /** The largest response body read, in bytes (default MAX_RESPONSE_BYTES); a larger one fails. */
  maxResponseBytes?: number | undefined;
}

/** 2 MiB: far more than a plan or a clarification takes, far less than hurts the process. */
export const MAX_RESPONSE_BYTES = 2 * 1024 * 1024;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` that sends only to the endpoint's own origins. A request to any other origin is refused
 * with HOST_REFUSED before a socket is opened; redirects are returned, never followed. Built on
 * node:http so the check cannot be bypassed by a global fetch or proxy setting.
 *
 * @example
 * const t = createGuardedTransport({ allowedOrigins: ['https://api.openai.com'] });
 * await t.fetch('https://example.com'); // throws HostRefusedError (code HOST_REFUSED)
 * t.close();
 */
export function createGuardedTransport(options: GuardedTransportOptions): GuardedTransport {
  const allowed = new Set(options.allowedOrigins.map(normalizeOrigin));
  const connectTo = options.connectTo ? parseLoopback(options.connectTo) : undefined;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 8 });

  const guardedFetch: GuardedFetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!allowed.has(url.origin)) throw new HostRefusedError(url.host);
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    // The Host is always the URL's: a caller-set Host could not change where a request is signed for.
    headers.host = url.host;
    // The body is sent whole, so its length is known; no chunked framing.
    delete headers['transfer-encoding'];
    if (body) headers['content-length'] = String(body.byteLength);
    else delete headers['content-length'];

    const target = connectTo ?? url;
    const secure = target.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        {
          protocol: target.protocol,
          hostname: target.hostname.replace(/^\[|\]$/g, ''),
          port: target.port || (secure ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers,
          agent: secure ? httpsAgent : httpAgent,
          servername: secure && !isIP(url.hostname) ? url.hostname : undefined,
          signal: request.signal,
          timeout: timeoutMs,
        },
        resolve,
      );
      req.on('timeout', () => req.destroy(new ProviderError('MODEL_CALL_FAILED', `${url.host} timed out.`)));
      req.on('error', reject);
      req.end(body);
    });

    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(res.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(key, v);
    }
    const status = res.statusCode ?? 502;
    const tooLarge = () =>
      new ProviderError('REPLY_TOO_LARGE', `${url.host} sent a reply larger than ${maxBytes} bytes.`);
    if (Number(res.headers['content-length'] ?? 0) > maxBytes) {
      res.destroy();
      throw tooLarge();
    }
    // Counted as it arrives: a reply past the cap stops being read, whatever its headers said.
    let received = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (received > maxBytes) {
          res.destroy();
          done(tooLarge());
        } else done(null, chunk);
      },
    });
    res.on('error', (err) => capped.destroy(err));
    const responseBody = NULL_BODY_STATUS.has(status)
      ? null
      : (Readable.toWeb(res.pipe(capped)) as unknown as ReadableStream<Uint8Array>);
    if (!responseBody) res.resume();
    const response = new Response(responseBody, {
      status,
      statusText: res.statusMessage ?? '',
      headers: responseHeaders,
    });
    // Some SDKs read `response.url` for error messages; Response has no public setter.
    Object.defineProperty(response, 'url', { value: url.toString() });
    return response;
  };

  return {
    allowedOrigins: [...allowed],
    fetch: guardedFetch,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** `https://Host:443/x` → `https://host`: the form `URL.origin` produces. */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ProviderError('ENDPOINT_INVALID', `"${value}" is not a URL.`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProviderError('ENDPOINT_INVALID', `${url.protocol} endpoints are not supported.`);
  }
  return url.origin;
}

function parseLoopback(value: string): URL {
  const url = new URL(value);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!loopback || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ProviderError('ENDPOINT_INVALID', 'connectTo must be an http(s) loopback address.');
  }
  return url;
}
