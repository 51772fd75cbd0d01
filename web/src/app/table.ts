import { h } from './dom.ts';
import { type ColumnFormat, formatValue, granularityOf } from './format.ts';

/** A column to show: its key, a heading, and how to format it. */
export interface TableColumn extends ColumnFormat {
  key: string;
  title: string;
}

/**
 * A data table (numbers right-aligned), at most `max` rows with a note of how many were left out.
 * `onRow` makes rows activatable by click and keyboard (Enter) — used to drill down.
 */
export function renderTable(
  columns: TableColumn[],
  rows: unknown[][],
  options: {
    max?: number;
    caption?: string;
    onRow?: (row: unknown[]) => void;
    /** Small-cell suppression: in these rows an empty value is withheld, shown as "< K". */
    suppressed?: { minGroupSize: number; rows: number[] } | undefined;
  } = {},
): HTMLElement {
  const withheld = new Set(options.suppressed?.rows ?? []);
  const max = options.max ?? 200;
  const numeric = columns.map((c, i) => c.type === 'number' || rows.some((r) => typeof r[i] === 'number'));
  const table = h(
    'table',
    { class: 'data' },
    options.caption ? h('caption', { class: 'sr-only' }, options.caption) : null,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c, i) => h('th', { scope: 'col', class: numeric[i] ? 'num' : null }, c.title)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.slice(0, max).map((r, n) => {
        const tr = h(
          'tr',
          {},
          columns.map((c, i) =>
            h(
              'td',
              { class: numeric[i] ? 'num' : null },
              withheld.has(n) && r[i] === null
                ? `< ${options.suppressed?.minGroupSize}`
                : formatValue(r[i], c, granularityOf(c.key)),
            ),
          ),
        );
        if (options.onRow) {
          const go = () => options.onRow?.(r);
          tr.tabIndex = 0;
          tr.classList.add('clickable');
          tr.addEventListener('click', go);
          tr.addEventListener('keydown', (e) => {
            if (e.key === 'Enter') go();
          });
        }
        return tr;
      }),
    ),
  );
  const wrap = h('div', { class: 'table-wrap' }, table);
  if (rows.length > max)
    wrap.append(h('p', { class: 'muted small' }, `Showing ${max} of ${rows.length} rows.`));
  return wrap;
}
