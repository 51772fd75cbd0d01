import type { Api, ApiError } from './api.ts';
import { h, replace, stateEmpty, stateError, stateLoading } from './dom.ts';

interface Member {
  name: string;
  title: string;
  shortTitle: string;
  description?: string;
  type: string;
  meta?: Record<string, unknown>;
}
interface Cube {
  name: string;
  title: string;
  description?: string;
  type: 'cube' | 'view';
  measures: Member[];
  dimensions: Member[];
}

/**
 * The model explorer: the cubes and views, measures and dimensions this user may query (from
 * Cube's /v1/meta, which already leaves out what their policies hide), with descriptions and a
 * search box. A member's "Ask" button starts a question with it.
 */
export async function renderModel(root: HTMLElement, api: Api): Promise<void> {
  replace(root, stateLoading('Loading the data model…'));
  let cubes: Cube[];
  try {
    cubes = (await api.json<{ cubes: Cube[] }>('GET', '/cubejs-api/v1/meta')).cubes;
  } catch (err) {
    replace(root, stateError((err as ApiError).message, (err as ApiError).code));
    return;
  }
  const search = h('input', {
    type: 'search',
    id: 'model-search',
    placeholder: 'Search measures and dimensions',
    'aria-label': 'Search the model',
  });
  const list = h('div', { class: 'model-list' });
  const nav = h('nav', { class: 'sidebar', 'aria-label': 'Cubes and views' });
  const draw = () => {
    const q = search.value.trim().toLowerCase();
    const match = (m: Member) =>
      !q ||
      `${m.name} ${m.title} ${m.description ?? ''} ${((m.meta?.synonyms as string[]) ?? []).join(' ')}`
        .toLowerCase()
        .includes(q);
    const shown = cubes
      .map((c) => ({ ...c, measures: c.measures.filter(match), dimensions: c.dimensions.filter(match) }))
      .filter((c) => c.measures.length || c.dimensions.length || (q && c.title.toLowerCase().includes(q)));
    replace(
      nav,
      h('h2', { class: 'small-title' }, `${cubes.length} cubes and views`),
      h(
        'ul',
        { class: 'history' },
        shown.map((c) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `#/model`,
                'data-cube': c.name,
                onclick: (e: Event) => {
                  e.preventDefault();
                  document.getElementById(`cube-${c.name}`)?.scrollIntoView();
                },
              },
              c.title,
            ),
          ),
        ),
      ),
    );
    replace(
      list,
      shown.length
        ? shown.map((c) =>
            h(
              'section',
              { class: 'card cube', id: `cube-${c.name}`, 'aria-labelledby': `cube-${c.name}-title` },
              h(
                'h2',
                { id: `cube-${c.name}-title` },
                c.title,
                ' ',
                h('span', { class: 'badge' }, c.type),
                ' ',
                h('code', { class: 'muted small' }, c.name),
              ),
              c.description ? h('p', { class: 'muted' }, c.description) : null,
              memberTable('Measures', c.measures, true),
              memberTable('Dimensions', c.dimensions, false),
            ),
          )
        : stateEmpty(q ? 'Nothing matches that search.' : 'You have access to no cubes.'),
    );
  };
  search.addEventListener('input', draw);
  replace(
    root,
    h(
      'div',
      { class: 'model-layout' },
      nav,
      h(
        'section',
        { class: 'model-main' },
        h('h1', {}, 'Data model'),
        h(
          'p',
          { class: 'muted' },
          'What you may query, with descriptions. Hidden members are left out; masked ones are marked.',
        ),
        search,
        list,
      ),
    ),
  );
  draw();
}

function memberTable(title: string, members: Member[], askable: boolean): HTMLElement | null {
  if (!members.length) return null;
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data members' },
      h('caption', {}, title),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Name'),
          h('th', { scope: 'col' }, 'Type'),
          h('th', { scope: 'col' }, 'Description'),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Ask')),
        ),
      ),
      h(
        'tbody',
        {},
        members.map((m) =>
          h(
            'tr',
            {},
            h(
              'td',
              {},
              h('strong', {}, m.shortTitle || m.title),
              h('br'),
              h('code', { class: 'muted small' }, m.name),
            ),
            h('td', {}, m.type, m.meta?.masked ? h('span', { class: 'badge warn' }, ' masked') : null),
            h('td', {}, m.description ?? ''),
            h(
              'td',
              {},
              askable
                ? h(
                    'a',
                    {
                      class: 'button small',
                      href: `#/chat?q=${encodeURIComponent(m.shortTitle || m.title)}`,
                      'aria-label': `Ask about ${m.title}`,
                    },
                    'Ask',
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}
