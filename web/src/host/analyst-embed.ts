/**
 * `<analyst-dashboard>` for host pages: load `/embed.js` from the analyst server, then
 *
 *   <analyst-dashboard src="https://analyst.example.org/embed/dashboards/synthea" token="…"></analyst-dashboard>
 *
 * The host's backend gets the token from `POST /v1/embed-tokens` (a service key with the embed
 * scope) for the signed-in viewer; the element frames the dashboard, sizes the frame to its
 * content, and fires `analyst-embed-error` when the token is refused (e.g. expired) so the host
 * can fetch a fresh one and set the `token` attribute again.
 */
class AnalystDashboard extends HTMLElement {
  static observedAttributes = ['src', 'token', 'title'];
  #frame: HTMLIFrameElement | null = null;
  #onMessage = (e: MessageEvent) => {
    if (!this.#frame || e.source !== this.#frame.contentWindow) return;
    const data = e.data as { type?: string; height?: number; code?: string };
    if (data?.type === 'analyst-embed-size' && typeof data.height === 'number')
      this.#frame.style.height = `${Math.min(Math.max(data.height, 200), 5000)}px`;
    if (data?.type === 'analyst-embed-error')
      this.dispatchEvent(
        new CustomEvent('analyst-embed-error', { detail: { code: data.code }, bubbles: true }),
      );
  };

  connectedCallback(): void {
    window.addEventListener('message', this.#onMessage);
    this.#render();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.#onMessage);
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#render();
  }

  #render(): void {
    const src = this.getAttribute('src');
    const token = this.getAttribute('token');
    if (!src || !token) return;
    const url = new URL(src, location.href);
    url.searchParams.set('token', token);
    if (!this.#frame) {
      this.#frame = document.createElement('iframe');
      this.#frame.style.width = '100%';
      this.#frame.style.height = '720px';
      this.#frame.style.border = '0';
      this.#frame.setAttribute('loading', 'lazy');
      // The dashboard needs its scripts and same-origin fetches; nothing more.
      this.#frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-downloads allow-popups');
      this.#frame.setAttribute('referrerpolicy', 'origin');
      this.append(this.#frame);
    }
    this.#frame.title = this.getAttribute('title') ?? 'Embedded dashboard';
    this.#frame.src = url.toString();
  }
}

if (!customElements.get('analyst-dashboard')) customElements.define('analyst-dashboard', AnalystDashboard);
