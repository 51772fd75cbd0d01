import type { Api, ApiError } from './api.ts';
import { h, replace, stateError, stateLoading } from './dom.ts';

const CHARTS = ['bar', 'line', 'area', 'number', 'table'] as const;

/**
 * "Add to dashboard": a modal dialog (focus kept inside, Escape closes) that saves a chat answer's
 * semantic query as a tile of an existing or a new dashboard in the workspace.
 */
export async function openAddToDashboard(
  api: Api,
  answer: { question: string; semanticQuery: Record<string, unknown>; chart: string },
): Promise<void> {
  const dialog = h('dialog', { class: 'modal', 'aria-labelledby': 'add-title' });
  document.body.append(dialog);
  dialog.addEventListener('close', () => dialog.remove());
  replace(dialog, stateLoading('Loading dashboards…'));
  dialog.showModal();
  let dashboards: Array<{ id: string; title: string; problem?: string }>;
  try {
    dashboards = (
      await api.json<{ dashboards: typeof dashboards }>('GET', '/v1/dashboards')
    ).dashboards.filter((d) => !d.problem);
  } catch (err) {
    replace(dialog, stateError((err as ApiError).message, (err as ApiError).code), closeButton(dialog));
    return;
  }
  const status = h('div', { 'aria-live': 'polite' });
  const newTitle = h('input', {
    id: 'add-new-title',
    type: 'text',
    maxlength: 120,
    placeholder: 'New dashboard title',
  });
  const newWrap = h(
    'div',
    { class: 'stack', hidden: dashboards.length > 0 },
    h('label', { for: 'add-new-title' }, 'New dashboard'),
    newTitle,
  );
  const select = h(
    'select',
    {
      id: 'add-dashboard',
      onchange: () => {
        newWrap.hidden = select.value !== '__new';
      },
    },
    dashboards.map((d) => h('option', { value: d.id }, d.title)),
    h('option', { value: '__new' }, 'New dashboard…'),
  );
  if (!dashboards.length) select.value = '__new';
  const form = h(
    'form',
    {
      class: 'stack',
      method: 'dialog',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        replace(status, stateLoading('Saving…'));
        try {
          let id = select.value;
          if (id === '__new') {
            const title = newTitle.value.trim();
            if (!title)
              throw Object.assign(new Error('Give the new dashboard a title.'), { code: 'BAD_REQUEST' });
            id = (await api.json<{ id: string }>('POST', '/v1/dashboards', { title })).id;
          }
          const title =
            (form.querySelector('#add-tile-title') as HTMLInputElement).value.trim() || answer.question;
          const chart = (form.querySelector('#add-chart') as HTMLSelectElement).value;
          await api.json('POST', `/v1/dashboards/${encodeURIComponent(id)}/tiles`, {
            title: title.slice(0, 120),
            query: answer.semanticQuery,
            chart,
          });
          replace(
            status,
            h(
              'p',
              { class: 'state ok', role: 'status' },
              'Added. ',
              h('a', { href: `#/dashboards/${id}`, onclick: () => dialog.close() }, 'Open the dashboard'),
            ),
          );
        } catch (err) {
          replace(status, stateError((err as Error).message, (err as ApiError).code));
        }
      },
    },
    h('label', { for: 'add-dashboard' }, 'Dashboard'),
    select,
    newWrap,
    h('label', { for: 'add-tile-title' }, 'Tile title'),
    h('input', { id: 'add-tile-title', type: 'text', maxlength: 120, value: answer.question.slice(0, 120) }),
    h('label', { for: 'add-chart' }, 'Show as'),
    h(
      'select',
      { id: 'add-chart' },
      CHARTS.map((c) => h('option', { value: c, selected: c === answer.chart }, c)),
    ),
    h(
      'div',
      { class: 'row' },
      h('button', { type: 'submit', class: 'primary' }, 'Add tile'),
      closeButton(dialog, 'Cancel'),
    ),
    status,
  );
  replace(dialog, h('h2', { id: 'add-title' }, 'Add to dashboard'), form);
  select.focus();
}

function closeButton(dialog: HTMLDialogElement, label = 'Close'): HTMLElement {
  return h('button', { type: 'button', onclick: () => dialog.close() }, label);
}
