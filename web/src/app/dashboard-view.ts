import type { Api, ApiError } from './api.ts';
import { renderChart } from './chart.ts';
import { append, h, replace, stateEmpty, stateError, stateLoading } from './dom.ts';
import { type Filter, type FilterValue, renderFilterBar } from './filter-bar.ts';
import { formatValue } from './format.ts';
import { renderTable, type TableColumn } from './table.ts';

interface TileDef {
  id: string;
  title: string;
  description?: string;
  chart: 'bar' | 'line' | 'area' | 'number' | 'table';
  position: { x: number; y: number; w: number; h: number };
  drillable: boolean;
}
interface DashboardDef {
  id: string;
  title: string;
  description?: string;
  filters: Filter[];
  tiles: TileDef[];
}
interface TileColumn extends TableColumn {
  kind: 'dimension' | 'time' | 'measure';
}
interface TileData {
  columns: TileColumn[];
  rows: unknown[][];
  /** Small-cell suppression: rows whose measures are withheld. */
  suppressed?: { minGroupSize: number; rows: number[] };
  spec: Record<string, unknown> | null;
  notApplied: string[];
}

/** At most this many tiles load at once (the server caps concurrent queries per process). */
const PARALLEL = 4;

/**
 * A dashboard: its filter bar, its tiles on a 12-column grid (each loading, empty, error or
 * drawn), drill-down to rows in a dialog, and CSV downloads. The same view serves the app
 * (`/v1/dashboards`) and embeds (`/v1/embed/dashboards`, where the token is the credential).
 */
export async function renderDashboard(
  root: HTMLElement,
  api: Api,
  base: string,
  id: string,
  options: { embedded?: boolean } = {},
): Promise<() => void> {
  const disposers = new Map<string, () => void>();
  const disposeAll = () => {
    for (const d of disposers.values()) d();
    disposers.clear();
  };
  replace(root, stateLoading('Loading dashboard…'));
  let def: DashboardDef;
  try {
    def = await api.json<DashboardDef>('GET', `${base}/${encodeURIComponent(id)}`);
  } catch (err) {
    replace(root, stateError((err as ApiError).message, (err as ApiError).code));
    return disposeAll;
  }
  const path = (tile: string, what: string) =>
    `${base}/${encodeURIComponent(def.id)}/tiles/${encodeURIComponent(tile)}/${what}`;
  const values: Record<string, FilterValue> = {};
  for (const f of def.filters) if (f.default !== undefined) values[f.id] = f.default;

  const grid = h('div', { class: 'grid' });
  const tiles = new Map<string, { el: HTMLElement; body: HTMLElement; note: HTMLElement; gen: number }>();
  for (const t of def.tiles) {
    const body = h('div', { class: `tile-body chart-${t.chart}` });
    const note = h('p', { class: 'tile-note muted small' });
    const tools = h(
      'div',
      { class: 'tile-tools' },
      t.drillable
        ? h(
            'button',
            {
              type: 'button',
              class: 'small',
              onclick: () => void drill(t, {}),
              'aria-label': `Rows behind ${t.title}`,
            },
            'Rows',
          )
        : null,
      h(
        'button',
        {
          type: 'button',
          class: 'small',
          onclick: () => void csv(t),
          'aria-label': `Download ${t.title} as CSV`,
        },
        'CSV',
      ),
    );
    const el = h(
      'section',
      { class: 'tile card', 'aria-labelledby': `tile-${t.id}-title`, 'data-tile': t.id },
      h(
        'header',
        { class: 'tile-head' },
        h('h2', { id: `tile-${t.id}-title`, title: t.description ?? null }, t.title),
        tools,
      ),
      body,
      note,
    );
    // CSSOM, not a style attribute: allowed under the strict style-src.
    el.style.gridColumn = `${t.position.x + 1} / span ${t.position.w}`;
    el.style.gridRow = `${t.position.y + 1} / span ${t.position.h}`;
    grid.append(el);
    tiles.set(t.id, { el, body, note, gen: 0 });
  }

  async function loadTile(t: TileDef): Promise<void> {
    const slot = tiles.get(t.id)!;
    const gen = ++slot.gen;
    slot.el.setAttribute('aria-busy', 'true');
    disposers.get(t.id)?.();
    disposers.delete(t.id);
    replace(slot.body, stateLoading());
    replace(slot.note);
    try {
      const data = await api.json<TileData>('POST', path(t.id, 'data'), { filters: values });
      if (gen !== slot.gen) return;
      drawTile(t, slot.body, data);
      const skipped = data.notApplied.map((f) => def.filters.find((x) => x.id === f)?.label ?? f);
      if (skipped.length) replace(slot.note, `Not filtered by ${skipped.join(', ')}.`);
    } catch (err) {
      if (gen !== slot.gen) return;
      replace(slot.body, stateError((err as ApiError).message, (err as ApiError).code));
    } finally {
      if (gen === slot.gen) slot.el.removeAttribute('aria-busy');
    }
  }

  function drawTile(t: TileDef, body: HTMLElement, data: TileData): void {
    const pointOf = (row: unknown[]) =>
      Object.fromEntries(
        data.columns.flatMap((c, i) =>
          c.kind === 'measure' ? [] : [[c.key, row[i] as string | number | null]],
        ),
      );
    if (!data.rows.length) {
      replace(body, stateEmpty('No data for these filters.'));
      return;
    }
    if (t.chart === 'number' && !data.spec) {
      const m = data.columns.findIndex((c) => c.kind === 'measure');
      const col = data.columns[m];
      replace(
        body,
        h(
          'p',
          { class: 'big-number' },
          data.suppressed?.rows.includes(0)
            ? `< ${data.suppressed.minGroupSize}`
            : formatValue(data.rows[0]?.[m], col),
        ),
        h('p', { class: 'muted small' }, t.description ?? col?.title ?? ''),
      );
      return;
    }
    if (!data.spec) {
      replace(
        body,
        renderTable(data.columns, data.rows, {
          max: 100,
          caption: t.title,
          onRow: t.drillable ? (r) => void drill(t, pointOf(r)) : undefined,
          suppressed: data.suppressed,
        }),
      );
      return;
    }
    const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': `${t.title} chart` });
    replace(body, chartEl);
    renderChart(chartEl, data.spec, {
      onClick: t.drillable
        ? (datum) => {
            const row = data.rows[Number(datum.__row)];
            if (row) void drill(t, pointOf(row));
          }
        : undefined,
    })
      .then((dispose) => disposers.set(t.id, dispose))
      .catch(() =>
        replace(
          body,
          renderTable(data.columns, data.rows, { max: 100, caption: t.title, suppressed: data.suppressed }),
        ),
      );
  }

  async function drill(t: TileDef, point: Record<string, unknown>): Promise<void> {
    const dialog = h('dialog', { class: 'modal wide', 'aria-labelledby': 'drill-title' });
    dialog.addEventListener('close', () => dialog.remove());
    const close = h('button', { type: 'button', onclick: () => dialog.close() }, 'Close');
    const where = Object.entries(point)
      .map(([k, v]) => `${k.split('.').slice(1).join(' ')} = ${formatValue(v)}`)
      .join(', ');
    const content = h('div', { class: 'drill-content' }, stateLoading('Loading rows…'));
    const download = h('button', { type: 'button', onclick: () => void csv(t, point) }, 'Download CSV');
    append(dialog, [
      h(
        'header',
        { class: 'row spread' },
        h('h2', { id: 'drill-title' }, `Rows: ${t.title}`),
        h('div', { class: 'row' }, download, close),
      ),
      where ? h('p', { class: 'muted' }, where) : null,
      content,
    ]);
    (options.embedded ? root : document.body).append(dialog);
    // A framed page is as tall as its content, so a centred dialog could open out of the host's
    // view: open it level with the tile instead.
    if (options.embedded) dialog.style.margin = `${Math.max(16, tiles.get(t.id)!.el.offsetTop)}px auto auto`;
    dialog.showModal();
    close.focus();
    try {
      const data = await api.json<TileData & { limit: number }>('POST', path(t.id, 'drill'), {
        filters: values,
        point,
      });
      replace(
        content,
        data.rows.length
          ? [
              renderTable(data.columns, data.rows, { max: data.limit, caption: `Rows behind ${t.title}` }),
              data.rows.length >= data.limit
                ? h('p', { class: 'muted small' }, `The first ${data.limit} rows.`)
                : null,
            ]
          : stateEmpty('No rows.'),
      );
    } catch (err) {
      replace(content, stateError((err as ApiError).message, (err as ApiError).code));
    }
  }

  async function csv(t: TileDef, point?: Record<string, unknown>): Promise<void> {
    const slot = tiles.get(t.id)!;
    try {
      await api.download(
        path(t.id, 'csv'),
        { filters: values, ...(point ? { drill: { point } } : {}) },
        `${def.id}-${t.id}.csv`,
      );
    } catch (err) {
      replace(slot.note, stateError(`CSV: ${(err as ApiError).message}`, (err as ApiError).code));
    }
  }

  async function loadAll(): Promise<void> {
    const queue = [...def.tiles];
    const worker = async () => {
      for (let t = queue.shift(); t; t = queue.shift()) await loadTile(t);
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
  }

  const filterBar = renderFilterBar(def.filters, values, {
    options: (filter) =>
      api
        .json<{ values: string[] }>(
          'GET',
          `${base}/${encodeURIComponent(def.id)}/filters/${encodeURIComponent(filter)}/options`,
        )
        .then((r) => r.values),
    changed: () => void loadAll(),
  });

  replace(
    root,
    h(
      'div',
      { class: 'dashboard' },
      h(
        'header',
        { class: 'dash-head' },
        h(
          'div',
          {},
          h('h1', {}, def.title),
          def.description ? h('p', { class: 'muted' }, def.description) : null,
        ),
      ),
      def.filters.length ? filterBar : null,
      def.tiles.length ? grid : stateEmpty('This dashboard has no tiles yet. Add one from a chat answer.'),
    ),
  );
  void loadAll();
  return disposeAll;
}
