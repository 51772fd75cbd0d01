/** What the pager receives: JSON, no PHI, no SQL values. */
export interface PagerPayload {
  type: 'incident' | 'break_glass';
  kind: string;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  at: string;
  deployment: string;
  on_call: string | null;
  notify: string[];
  endpoint?: string;
  audit_id: string | null;
  details: Record<string, unknown>;
}

/** The outcome of one delivery. */
export interface Delivery {
  delivered: boolean;
  status: number | null;
  attempts: number;
  error?: string;
}

/**
 * POSTs incident payloads to the configured pager URL (the only place it ever sends to), with a
 * timeout and a couple of retries on network errors and 5xx answers.
 *
 * @example await new PagerWebhook('https://pager.example.org/hook').post(payload);
 */
export class PagerWebhook {
  constructor(
    private readonly url: string,
    private readonly options: { timeoutMs?: number; attempts?: number; retryDelayMs?: number } = {},
  ) {}

  async post(payload: PagerPayload): Promise<Delivery> {
    const attempts = this.options.attempts ?? 3;
    let last: Delivery = { delivered: false, status: null, attempts: 0 };
    for (let i = 1; i <= attempts; i++) {
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'analyst-incident/1' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        last = { delivered: res.ok, status: res.status, attempts: i };
        if (res.ok || res.status < 500) return last;
      } catch (err) {
        last = {
          delivered: false,
          status: null,
          attempts: i,
          error: err instanceof Error ? err.message : String(err),
        };
      }
      if (i < attempts) await new Promise((r) => setTimeout(r, (this.options.retryDelayMs ?? 200) * i));
    }
    return last;
  }
}
