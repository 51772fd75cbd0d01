import { h } from './dom.ts';

/** A dashboard filter as the server describes it. */
export interface Filter {
  id: string;
  type: 'date_range' | 'select';
  label: string;
  default?: string | [string, string];
}

/** A filter's value: a date range, one choice, or null for "all". */
export type FilterValue = [string, string] | string | null;

/** How the bar gets a select's choices and says a value changed. */
export interface FilterHooks {
  options: (filterId: string) => Promise<string[]>;
  changed: () => void;
}

/**
 * The filter bar: a date range as two date inputs (applied once both are set, or both cleared),
 * a select with "All" and the choices the viewer's policies allow. Changes update `values` in
 * place and call `changed`.
 */
export function renderFilterBar(
  filters: Filter[],
  values: Record<string, FilterValue>,
  hooks: FilterHooks,
): HTMLElement {
  return h(
    'form',
    { class: 'filters', 'aria-label': 'Dashboard filters', onsubmit: (e: Event) => e.preventDefault() },
    filters.map((f) => filterControl(f, values, hooks)),
  );
}

function filterControl(f: Filter, values: Record<string, FilterValue>, hooks: FilterHooks): HTMLElement {
  if (f.type === 'date_range') {
    const [from, to] = Array.isArray(values[f.id]) ? (values[f.id] as [string, string]) : ['', ''];
    const a = h('input', {
      type: 'date',
      id: `f-${f.id}-from`,
      value: from,
      'aria-label': `${f.label} from`,
    });
    const b = h('input', { type: 'date', id: `f-${f.id}-to`, value: to, 'aria-label': `${f.label} to` });
    const changed = () => {
      if (a.value && b.value && a.value > b.value) return;
      const next: FilterValue = a.value && b.value ? [a.value, b.value] : null;
      if (JSON.stringify(next) === JSON.stringify(values[f.id] ?? null)) return;
      if (!next && (a.value || b.value)) return;
      values[f.id] = next;
      hooks.changed();
    };
    a.addEventListener('change', changed);
    b.addEventListener('change', changed);
    return h(
      'fieldset',
      { class: 'filter' },
      h('legend', {}, f.label),
      a,
      h('span', { 'aria-hidden': 'true' }, '–'),
      b,
    );
  }
  const select = h('select', { id: `f-${f.id}`, 'aria-busy': 'true' }, h('option', { value: '' }, 'All'));
  const current = typeof values[f.id] === 'string' ? (values[f.id] as string) : '';
  hooks
    .options(f.id)
    .then((choices) => {
      for (const v of choices) select.append(h('option', { value: v, selected: v === current }, v));
    })
    .catch(() => select.append(h('option', { value: '', disabled: true }, 'Choices unavailable')))
    .finally(() => select.removeAttribute('aria-busy'));
  select.addEventListener('change', () => {
    values[f.id] = select.value || null;
    hooks.changed();
  });
  return h('div', { class: 'filter' }, h('label', { for: `f-${f.id}` }, f.label), select);
}
