import type { Api } from './api.ts';
import { ApiError } from './api.ts';
import { h, replace, stateError, stateLoading } from './dom.ts';
import type { Session } from './session.ts';

interface AuthConfig {
  mode: 'dev' | 'oidc';
  oidc?: { clientId: string | null; authorizationEndpoint: string | null; scope: string };
}

const PKCE_KEY = 'analyst.pkce';

/**
 * The sign-in screen. OIDC: authorization code with PKCE (S256), state checked on return, the
 * code exchanged by our server. Dev mode: pick a users.yaml identity (offered on loopback only),
 * or paste a token from `analyst token --user ID`.
 */
export async function renderSignIn(
  root: HTMLElement,
  api: Api,
  session: Session,
  notice?: string,
): Promise<void> {
  replace(root, h('section', { class: 'sign-in card', 'aria-labelledby': 'sign-in-title' }, stateLoading()));
  const card = root.firstElementChild as HTMLElement;
  let config: AuthConfig;
  try {
    config = await api.json<AuthConfig>('GET', '/v1/auth/config');
  } catch (err) {
    replace(card, stateError('The server could not be reached.', (err as ApiError).code));
    return;
  }
  const title = h('h1', { id: 'sign-in-title' }, 'Sign in to Private Analyst');
  const intro = h(
    'p',
    { class: 'muted' },
    'Governed answers from your own data. Your access decides what you see.',
  );
  const note = notice ? h('p', { class: 'state error', role: 'alert' }, notice) : null;
  if (config.mode === 'oidc') {
    const ready = Boolean(config.oidc?.clientId && config.oidc.authorizationEndpoint);
    replace(
      card,
      title,
      intro,
      note,
      ready
        ? h(
            'button',
            { type: 'button', class: 'primary', onclick: () => void startOidc(config) },
            'Sign in with your organization',
          )
        : stateError('Browser sign-in is not configured on this server (server.auth.oidc.client_id).'),
    );
    return;
  }
  const users = await api
    .json<{ users: Array<{ id: string; name?: string; roles: string[] }> }>('GET', '/v1/dev/users')
    .then((r) => r.users)
    .catch(() => null);
  const status = h('div', { 'aria-live': 'polite' });
  const pick = users?.length
    ? h(
        'form',
        {
          class: 'stack',
          onsubmit: async (e: Event) => {
            e.preventDefault();
            const user = (card.querySelector('#dev-user') as HTMLSelectElement).value;
            replace(status, stateLoading('Signing in…'));
            try {
              const r = await api.json<{ token: string }>('POST', '/v1/dev/token', { user });
              session.set(r.token);
              location.hash = '#/chat';
              location.reload();
            } catch (err) {
              replace(status, stateError((err as ApiError).message, (err as ApiError).code));
            }
          },
        },
        h('label', { for: 'dev-user' }, 'Development user (users.yaml)'),
        h(
          'select',
          { id: 'dev-user', name: 'user' },
          users.map((u) =>
            h('option', { value: u.id }, `${u.name ?? u.id} — ${u.roles.join(', ') || 'no role'}`),
          ),
        ),
        h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
      )
    : null;
  const paste = h(
    'form',
    {
      class: 'stack',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const token = (card.querySelector('#dev-token') as HTMLTextAreaElement).value.trim();
        if (!token) return;
        session.set(token);
        location.reload();
      },
    },
    h('label', { for: 'dev-token' }, 'Or paste a token from ', h('code', {}, 'analyst token --user ID')),
    h('textarea', { id: 'dev-token', rows: 3, spellcheck: 'false', autocomplete: 'off' }),
    h('button', { type: 'submit' }, 'Use this token'),
  );
  replace(card, title, intro, note, h('p', { class: 'badge warn' }, 'Development mode'), pick, paste, status);
  (card.querySelector('select, textarea') as HTMLElement | null)?.focus();
}

/** Finish an OIDC redirect (`?code=&state=`); true when a sign-in was completed here. */
export async function completeOidc(api: Api, session: Session): Promise<boolean> {
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  const state = url.searchParams.get('state');
  if (!code && !url.searchParams.get('error')) return false;
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as {
    state: string;
    verifier: string;
  } | null;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', url.pathname);
  if (!code || !saved || saved.state !== state)
    throw new ApiError(401, 'AUTH_STATE', 'The sign-in could not be completed; try again.');
  const r = await api.json<{ token: string }>('POST', '/v1/auth/oidc/token', {
    code,
    codeVerifier: saved.verifier,
    redirectUri: `${location.origin}${url.pathname}`,
  });
  session.set(r.token);
  return true;
}

async function startOidc(config: AuthConfig): Promise<void> {
  const oidc = config.oidc!;
  const verifier = randomString(64);
  const state = randomString(32);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  const challenge = base64url(new Uint8Array(digest));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ state, verifier }));
  const target = new URL(oidc.authorizationEndpoint!);
  target.search = new URLSearchParams({
    response_type: 'code',
    client_id: oidc.clientId!,
    redirect_uri: `${location.origin}/app/`,
    scope: oidc.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  location.assign(target.toString());
}

function randomString(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
