import embed from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';

/** A Vega-Lite spec as the server sends it (data inlined). */
export type VegaLiteSpec = Record<string, unknown>;

const CONFIG = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: null,
  view: { stroke: null },
  axis: {
    labelColor: '#44505c',
    titleColor: '#2a333c',
    gridColor: '#e6eaee',
    domainColor: '#c4ccd4',
    labelFontSize: 11,
  },
  legend: { labelColor: '#44505c', titleColor: '#2a333c' },
  range: { category: ['#1f6feb', '#2da44e', '#bf8700', '#8250df', '#cf222e', '#0a7ea4', '#6e7781'] },
  line: { color: '#1f6feb', strokeWidth: 2 },
  point: { color: '#1f6feb', filled: true },
  bar: { color: '#1f6feb' },
  scale: { bandPaddingInner: 0.3 },
  area: { color: '#1f6feb', opacity: 0.25, line: { color: '#1f6feb' } },
};

/**
 * Draw a Vega-Lite spec into `el`, locally and under a strict CSP: Vega's expressions run in the
 * CSP-safe interpreter (`ast: true`, no eval), vega-embed adds no <style> element, and tooltips
 * use our own element (styled by the app's stylesheet). `onClick` gets the clicked datum.
 *
 * @example await renderChart(el, spec, { onClick: (d) => drill(d) })
 */
export async function renderChart(
  el: HTMLElement,
  spec: VegaLiteSpec,
  options: { onClick?: (datum: Record<string, unknown>) => void; height?: number } = {},
): Promise<() => void> {
  const width = Math.max(200, el.clientWidth - 16);
  const sized = {
    width: 'container',
    height: options.height ?? Math.max(140, el.clientHeight - 24),
    autosize: { type: 'fit', contains: 'padding' },
    ...spec,
  };
  if (!el.clientWidth) (sized as Record<string, unknown>).width = width;
  const tip = tooltipElement();
  const result = await embed(el, sized as never, {
    renderer: 'svg',
    actions: false,
    defaultStyle: false,
    ast: true,
    expr: expressionInterpreter,
    config: CONFIG as never,
    tooltip: (_handler: unknown, event: MouseEvent, _item: unknown, value: unknown) =>
      showTip(tip, event, value),
  });
  if (options.onClick) {
    const click = options.onClick;
    result.view.addEventListener('click', (_e, item) => {
      const datum = (item as { datum?: Record<string, unknown> } | null)?.datum;
      if (datum) click(datum);
    });
  }
  el.classList.add('has-chart');
  return () => {
    result.finalize();
    tip.remove();
  };
}

function tooltipElement(): HTMLElement {
  const tip = document.createElement('div');
  tip.className = 'chart-tip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  document.body.append(tip);
  return tip;
}

function showTip(tip: HTMLElement, event: MouseEvent, value: unknown): void {
  if (value === null || value === undefined || value === '') {
    tip.hidden = true;
    return;
  }
  tip.replaceChildren();
  if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const row = document.createElement('div');
      const key = document.createElement('span');
      key.className = 'k';
      key.textContent = `${k.replace(/\\\./g, '.').split('.').pop()}: `;
      row.append(key, typeof v === 'number' ? v.toLocaleString() : String(v));
      tip.append(row);
    }
  } else tip.textContent = String(value);
  tip.hidden = false;
  // CSSOM writes, not style attributes: allowed under style-src 'self'.
  tip.style.left = `${Math.min(event.clientX + 12, window.innerWidth - tip.offsetWidth - 8)}px`;
  tip.style.top = `${event.clientY + 12}px`;
}
