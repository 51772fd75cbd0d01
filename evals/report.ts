import type { CaseResult, Observed } from './run-case.ts';
import type { EvalRun } from './runner.ts';
import type { ThresholdMiss, Thresholds } from './thresholds.ts';

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function ms(x: number): string {
  return `${Math.round(x)} ms`;
}

/** Markdown-safe one-line cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function rowsText(rows: unknown[][], max = 8): string {
  if (!rows.length) return '(no rows)';
  const shown = rows
    .slice(0, max)
    .map((r) =>
      r.map((v) => (v === null ? 'null' : typeof v === 'number' ? String(v) : JSON.stringify(v))).join(', '),
    )
    .join('<br>');
  return rows.length > max ? `${shown}<br>… ${rows.length - max} more` : shown;
}

function side(o: Observed | null, pick: (o: Observed) => string): string {
  return o ? cell(pick(o)) : '—';
}

/**
 * The markdown report: per-category scores against thresholds with latency, then every failure
 * with its question and the expected and actual results side by side.
 */
export function renderReport(
  run: EvalRun,
  options: {
    thresholds?: Thresholds | undefined;
    /** The thresholds entry to show (default: the endpoint's). */
    thresholdsKey?: string | undefined;
    misses?: ThresholdMiss[] | undefined;
    data?: string | undefined;
  } = {},
): string {
  const lines: string[] = [];
  const total = run.results.length;
  const passed = run.results.filter((r) => r.passed).length;
  lines.push(`# Eval report — ${run.endpoint}`, '');
  lines.push(
    `${total} cases, ${passed} passed (${pct(total ? passed / total : 0)}), run ${run.startedAt}` +
      `${options.data ? ` on ${options.data}` : ''}, ${(run.durationMs / 1000).toFixed(1)} s.`,
    '',
  );
  if (run.notApplicable?.length)
    lines.push(
      `Not applicable on this data (their premise, \`requires\`, does not hold): ${run.notApplicable.join(', ')}.`,
      '',
    );
  const byCategory = new Map<string, CaseResult[]>();
  for (const r of run.results) byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), r]);
  const own = options.thresholds?.[options.thresholdsKey ?? run.endpoint] ?? {};
  lines.push('| Category | Cases | Passed | Score | Threshold | Latency p50 | p95 | max |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const [category, rs] of byCategory) {
    const ok = rs.filter((r) => r.passed).length;
    const lat = rs.map((r) => r.latencyMs).sort((a, b) => a - b);
    const threshold = (own as Record<string, number | undefined>)[category];
    lines.push(
      `| ${category} | ${rs.length} | ${ok} | ${pct(ok / rs.length)} | ${threshold === undefined ? '—' : pct(threshold)} | ${ms(quantile(lat, 0.5))} | ${ms(quantile(lat, 0.95))} | ${ms(lat.at(-1) ?? 0)} |`,
    );
  }
  const all = run.results.map((r) => r.latencyMs).sort((a, b) => a - b);
  lines.push(
    `| **all** | ${total} | ${passed} | ${pct(total ? passed / total : 0)} | | ${ms(quantile(all, 0.5))} | ${ms(quantile(all, 0.95))} | ${ms(all.at(-1) ?? 0)} |`,
    '',
  );
  if (options.misses?.length) {
    lines.push('**Below threshold:** ');
    for (const m of options.misses) lines.push(`- ${m.category}: ${pct(m.score)} < ${pct(m.threshold)}`);
    lines.push('');
  }
  const failures = run.results.filter((r) => !r.passed);
  lines.push(`## Failures (${failures.length})`, '');
  if (!failures.length) lines.push('None.', '');
  for (const f of failures) {
    lines.push(`### ${f.id} (${f.category}, as ${f.as}, ${f.suite})`, '');
    lines.push(`> ${cell(f.question)}`, '');
    lines.push(`Why: ${cell(f.reason ?? 'failed')}`, '');
    lines.push('| | Expected | Actual |', '|---|---|---|');
    lines.push(`| status | ${side(f.expected, (o) => o.status)} | ${side(f.actual, (o) => o.status)} |`);
    lines.push(
      `| rows | ${side(f.expected, (o) => rowsText(o.rows))} | ${side(f.actual, (o) => rowsText(o.rows))} |`,
    );
    lines.push(
      `| query | ${side(f.expected, (o) => (o.semanticQuery ? `\`${JSON.stringify(o.semanticQuery)}\`` : (o.columns[0] ?? '')))} | ${side(f.actual, (o) => (o.semanticQuery ? `\`${JSON.stringify(o.semanticQuery)}\`` : ''))} |`,
    );
    if (f.actual?.answer) lines.push(`| answer | | ${cell(f.actual.answer.slice(0, 300))} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
