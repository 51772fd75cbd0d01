import { isAnalystError } from '../../core/index.ts';
import { ConnectorAuthError, ConnectorError } from '../errors.ts';
import type { ConnectorLogger } from '../sdk/types.ts';

/** How hard to try before giving up on a page. */
export interface RetryPolicy {
  maxRetries: number;
  backoffMs: number;
  timeoutMs: number;
}

/**
 * GET a URL as JSON, retrying 429 and 5xx answers and network failures with exponential backoff
 * (honouring Retry-After up to 30 s). 401/403 are credential problems and are not retried.
 *
 * @example const { body, headers } = await getJson(url, { Authorization: 'Bearer …' }, policy, log);
 */
export async function getJson(
  url: string,
  headers: Record<string, string>,
  policy: RetryPolicy,
  log: ConnectorLogger,
): Promise<{ body: unknown; headers: Headers }> {
  const where = new URL(url);
  const label = `${where.origin}${where.pathname}`;
  for (let attempt = 0; ; attempt++) {
    let status = 0;
    let retryAfter: number | undefined;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json', ...headers },
        signal: AbortSignal.timeout(policy.timeoutMs),
      });
      status = res.status;
      if (res.ok) return { body: await res.json(), headers: res.headers };
      if (status === 401 || status === 403) {
        throw new ConnectorAuthError(
          `rest: ${label} refused the credentials (HTTP ${status}); check the auth secret.`,
        );
      }
      if (status !== 429 && status < 500) {
        throw new ConnectorError('CONNECTOR_READ_FAILED', `rest: ${label} answered HTTP ${status}.`);
      }
      const ra = Number(res.headers.get('retry-after'));
      retryAfter = Number.isFinite(ra) && ra >= 0 ? Math.min(ra, 30) * 1000 : undefined;
      await res.body?.cancel();
    } catch (err) {
      if (isAnalystError(err)) throw err;
      if (attempt >= policy.maxRetries) {
        throw new ConnectorError(
          'CONNECTOR_UNREACHABLE',
          `rest: ${label} could not be reached: ${(err as Error).message}`,
          { cause: err },
        );
      }
    }
    if (attempt >= policy.maxRetries) {
      throw new ConnectorError(
        'CONNECTOR_READ_FAILED',
        `rest: ${label} still answered HTTP ${status} after ${attempt + 1} attempts.`,
      );
    }
    const wait = retryAfter ?? policy.backoffMs * 2 ** attempt * (1 + Math.random() * 0.2);
    log.warn('retrying after a transient failure', {
      url: label,
      status,
      attempt: attempt + 1,
      waitMs: Math.round(wait),
    });
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** The `rel="next"` target of an RFC 8288 Link header, if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (m?.[2]?.split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}
