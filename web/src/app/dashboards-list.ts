import type { Api, ApiError } from './api.ts';
import { h, replace, stateEmpty, stateError, stateLoading } from './dom.ts';

/** The dashboards in the workspace's dashboards/ folder, with files that do not validate flagged. */
export async function renderDashboardList(root: HTMLElement, api: Api): Promise<void> {
  replace(root, stateLoading('Loading dashboards…'));
  try {
    const { dashboards } = await api.json<{
      dashboards: Array<{ id: string; title: string; description?: string; tiles: number; problem?: string }>;
    }>('GET', '/v1/dashboards');
    replace(
      root,
      h('h1', {}, 'Dashboards'),
      h(
        'p',
        { class: 'muted' },
        'Dashboards are files in the workspace’s dashboards/ folder: review them like code.',
      ),
      dashboards.length
        ? h(
            'ul',
            { class: 'cards' },
            dashboards.map((d) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { class: 'card link-card', href: `#/dashboards/${d.id}` },
                  h('h2', {}, d.title),
                  d.description ? h('p', { class: 'muted' }, d.description) : null,
                  d.problem
                    ? h('p', { class: 'state error' }, d.problem)
                    : h('p', { class: 'small muted' }, `${d.tiles} tiles · ${d.id}.yaml`),
                ),
              ),
            ),
          )
        : stateEmpty('No dashboards yet: add a chat answer to one, or write dashboards/<id>.yaml.'),
    );
  } catch (err) {
    replace(root, stateError((err as ApiError).message, (err as ApiError).code));
  }
}
