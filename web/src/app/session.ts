/** The signed-in user as the server reports it (GET /v1/me). */
export interface Me {
  id: string;
  roles: string[];
  attributes: Record<string, unknown>;
  method: string;
}

const KEY = 'analyst.token';

/**
 * The bearer token, kept for this tab only (sessionStorage: closing the tab signs out, and other
 * tabs or sites cannot read it). A `?token=` in the address (dev: `analyst token`) is taken once
 * and removed from the address bar and history.
 */
export class Session {
  #token: string | null = sessionStorage.getItem(KEY);

  constructor() {
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get('token');
    if (fromUrl) {
      this.set(fromUrl);
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
    }
  }

  get token(): string | null {
    return this.#token;
  }

  set(token: string): void {
    this.#token = token;
    sessionStorage.setItem(KEY, token);
  }

  clear(): void {
    this.#token = null;
    sessionStorage.removeItem(KEY);
  }
}
