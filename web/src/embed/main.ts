import { Api, type ApiError } from '../app/api.ts';
import { watchCsp } from '../app/csp-watch.ts';
import { renderDashboard } from '../app/dashboard-view.ts';
import { h, replace } from '../app/dom.ts';

/**
 * The framed dashboard. The token came in the frame's address (the server checked it before
 * sending this page; it stays there so reloading the frame works, and no-referrer keeps it from
 * leaking onward) and goes as a bearer header on every data request, where the server checks it
 * again. When it is refused, the dashboard is replaced by the reason and shows no data.
 */
function start(): void {
  watchCsp();
  const root = document.getElementById('embed-root')!;
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  const id = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  let ended = false;
  const api = new Api(
    () => token,
    (err: ApiError) => {
      if (ended) return;
      ended = true;
      // Stop showing data the viewer may no longer see, and say why.
      replace(
        root,
        h(
          'div',
          { class: 'embed-error', role: 'alert' },
          h('h1', {}, 'This dashboard link is no longer valid'),
          h('p', {}, err.message),
          h('p', { class: 'muted' }, `Code ${err.code}`),
        ),
      );
      window.parent.postMessage({ type: 'analyst-embed-error', code: err.code }, '*');
    },
  );
  void renderDashboard(root, api, '/v1/embed/dashboards', id, { embedded: true }).then(() => {
    // Tell the host page how tall the content is, so its iframe can fit it.
    const report = () =>
      window.parent.postMessage(
        { type: 'analyst-embed-size', height: document.documentElement.scrollHeight },
        '*',
      );
    new ResizeObserver(report).observe(document.body);
    report();
  });
}

start();
