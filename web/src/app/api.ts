/** An error the server answered with: its code and a message written for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** One Server-Sent Event from /v1/chat. */
export interface StreamEvent {
  event: string;
  data: unknown;
}

/**
 * The server's API as the app and the embed call it: a bearer token on every request, errors as
 * ApiError, a 401 reported once to `onUnauthorized` (the session ended).
 */
export class Api {
  constructor(
    private readonly token: () => string | null,
    private readonly onUnauthorized: (e: ApiError) => void = () => {},
  ) {}

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(method, path, body, 'application/json');
    return (await res.json()) as T;
  }

  /** Download a response as a file (CSV), keeping the bearer header (a plain link cannot). */
  async download(path: string, body: unknown, fallbackName: string): Promise<void> {
    const res = await this.#fetch('POST', path, body, 'text/csv');
    const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? fallbackName;
    const url = URL.createObjectURL(await res.blob());
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** POST and read Server-Sent Events as they arrive. */
  async *stream(path: string, body: unknown, signal?: AbortSignal): AsyncGenerator<StreamEvent> {
    const res = await this.#fetch('POST', path, body, 'text/event-stream', signal);
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const ev = parseEvent(block);
        if (ev) yield ev;
        end = buffer.indexOf('\n\n');
      }
    }
  }

  async #fetch(
    method: string,
    path: string,
    body: unknown,
    accept: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
    }
    if (!res.ok) {
      const payload = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string } | string;
        code?: string;
      } | null;
      // The Cube API answers Cube's shape: {"error": "<message>", "code": …}.
      const e =
        typeof payload?.error === 'string' ? { message: payload.error, code: payload.code } : payload?.error;
      const err = new ApiError(
        res.status,
        e?.code ?? `HTTP_${res.status}`,
        e?.message ?? `The server answered ${res.status}.`,
      );
      if (res.status === 401) this.onUnauthorized(err);
      throw err;
    }
    return res;
  }
}

function parseEvent(block: string): StreamEvent | null {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (!data.length) return null;
  try {
    return { event, data: JSON.parse(data.join('\n')) };
  } catch {
    return { event, data: data.join('\n') };
  }
}
