import { Api, type ApiError } from './api.ts';
import { renderChat } from './chat-view.ts';
import { watchCsp } from './csp-watch.ts';
import { renderDashboard } from './dashboard-view.ts';
import { renderDashboardList } from './dashboards-list.ts';
import { h, replace, stateError, stateLoading } from './dom.ts';
import { renderModel } from './model-view.ts';
import { type Me, Session } from './session.ts';
import { completeOidc, renderSignIn } from './sign-in.ts';

const NAV = [
  { href: '#/chat', label: 'Chat' },
  { href: '#/dashboards', label: 'Dashboards' },
  { href: '#/model', label: 'Model' },
];

/**
 * The app shell: sign-in when there is no valid session, then a header with navigation and the
 * routed view (hash routes, so the server serves one page and deep links survive reloads).
 */
async function start(): Promise<void> {
  watchCsp();
  const root = document.getElementById('app')!;
  const session = new Session();
  let ended = false;
  const api = new Api(
    () => session.token,
    (err: ApiError) => {
      // The session ended (expired, idle, revoked): back to sign-in, once, saying why.
      if (ended || !session.token) return;
      ended = true;
      session.clear();
      void renderSignIn(root, api, session, `${err.message}`);
    },
  );
  replace(root, stateLoading('Starting…'));
  try {
    if (await completeOidc(api, session)) location.hash = '#/chat';
  } catch (err) {
    await renderSignIn(root, api, session, (err as ApiError).message);
    return;
  }
  if (!session.token) {
    await renderSignIn(root, api, session);
    return;
  }
  let me: Me;
  try {
    me = await api.json<Me>('GET', '/v1/me');
  } catch (err) {
    if ((err as ApiError).status !== 401)
      replace(root, stateError((err as ApiError).message, (err as ApiError).code));
    return;
  }

  const main = h('main', { id: 'main', tabindex: '-1' });
  const links = NAV.map((n) => h('a', { href: n.href }, n.label));
  replace(
    root,
    h(
      'a',
      {
        class: 'skip',
        href: '#main',
        onclick: (e: Event) => {
          e.preventDefault();
          main.focus();
        },
      },
      'Skip to content',
    ),
    h(
      'header',
      { class: 'topbar' },
      h(
        'a',
        { class: 'brand', href: '#/chat' },
        h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'),
        'Private Analyst',
      ),
      h('nav', { 'aria-label': 'Main' }, links),
      h(
        'div',
        { class: 'who' },
        h(
          'span',
          { class: 'muted small', title: me.roles.join(', ') },
          `${me.id} · ${me.roles.join(', ') || 'no role'}`,
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            onclick: () => {
              session.clear();
              location.assign('/app/');
            },
          },
          'Sign out',
        ),
      ),
    ),
    main,
  );

  let dispose: (() => void) | undefined;
  const route = async () => {
    // Dialogs belong to the view they were opened from.
    for (const d of document.querySelectorAll('dialog')) d.remove();
    dispose?.();
    dispose = undefined;
    const [path = '', query = ''] = location.hash.replace(/^#/, '').split('?');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    for (const a of links) {
      if (path.startsWith(a.getAttribute('href')!.slice(1))) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const view = h('div', { class: 'view' });
    replace(main, view);
    if (parts[0] === 'dashboards' && parts[1])
      dispose = await renderDashboard(view, api, '/v1/dashboards', parts[1]);
    else if (parts[0] === 'dashboards') await renderDashboardList(view, api);
    else if (parts[0] === 'model') await renderModel(view, api);
    else {
      dispose = renderChat(view, api, me, parts[0] === 'chat' ? parts[1] : undefined);
      const q = new URLSearchParams(query).get('q');
      const input = view.querySelector('#question') as HTMLTextAreaElement | null;
      if (q && input) input.value = q;
    }
  };
  window.addEventListener('hashchange', () => void route());
  if (!location.hash) history.replaceState(null, '', '#/chat');
  await route();
}

void start();
