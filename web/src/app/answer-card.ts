import { openAddToDashboard } from './add-to-dashboard.ts';
import type { Api } from './api.ts';
import { renderChart } from './chart.ts';
import { h, replace, stateEmpty, stateError } from './dom.ts';
import type { Me } from './session.ts';
import { renderTable } from './table.ts';

/** What POST /v1/chat answers (the `result` event). */
export interface AskResult {
  status: 'ok' | 'clarify' | 'refused' | 'error';
  answer: string;
  /** What was computed, in words ("Median of Total Claim Cost over all encounters, 2021"). */
  interpretation?: string | null;
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
  sql: string | null;
  semanticQuery: Record<string, unknown> | null;
  chart: Record<string, unknown> | null;
  conversationId: string;
  /** The answer's audit record: the turn feedback refers to. */
  auditId?: string | null;
  /** The governed SQL as planned, before the gate applied the caller's policies (what is saved as verified). */
  plannedSql?: string;
  /** The answer reused a verified query: which one, who verified it and when. */
  verified?: { file: string; question: string; author: string; date: string };
  options?: Array<{ label: string; question: string }>;
  /** Small-cell suppression: in these rows the null values are withheld, shown as "< K". */
  suppressed?: { minGroupSize: number; rows: number[] };
  /** The model endpoint failed and the offline planner answered; `fallbackReason` says why. */
  fallback?: true;
  fallbackReason?: string;
}

/** What an answer card needs from the chat around it. */
export interface AnswerContext {
  api: Api;
  me: Me;
  /** Ask a follow-up (a clarification's choice). */
  ask: (question: string) => void;
  /** Where charts register their disposal. */
  cleanups: Array<() => void>;
}

const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/**
 * One answer: its text (with a badge unless it is a plain answer), clarifications as buttons,
 * the chart with the table behind a toggle (or the table alone), the semantic query and SQL on
 * request, and "Add to dashboard" for analysts and admins.
 */
export function drawAnswer(card: HTMLElement, r: AskResult, question: string, cx: AnswerContext): void {
  const { api, me, ask, cleanups } = cx;
  const canEdit = me.roles.some((x) => x === 'admin' || x === 'analyst');
  const badge =
    r.status === 'ok'
      ? null
      : h('span', { class: `badge ${r.status === 'clarify' ? 'info' : 'warn'}` }, labelOf(r.status));
  const body = h('div', { class: 'answer-body' });
  const tools = h('div', { class: 'row tools' });
  replace(card, h('p', { class: 'answer-text' }, badge, r.answer), body, tools);
  if (r.fallback) {
    body.append(
      h(
        'p',
        { class: 'note fallback', role: 'note' },
        h('span', { class: 'badge warn' }, 'Offline planner'),
        ` The model endpoint did not answer, so the built-in planner did. ${r.fallbackReason ?? ''}`,
      ),
    );
  }
  if (r.verified) {
    body.append(
      h(
        'p',
        { class: 'note verified', role: 'note' },
        h('span', { class: 'badge info' }, 'Verified query'),
        ` Verified by ${r.verified.author} on ${r.verified.date}: “${r.verified.question}”`,
      ),
    );
  }
  if (r.interpretation) {
    // Above the chart: what the number is, so a right-looking answer to another question shows.
    body.append(
      h('p', { class: 'interpretation', role: 'note' }, h('strong', {}, 'Computed: '), r.interpretation),
    );
  }
  if (r.options?.length) {
    body.append(
      h(
        'div',
        { class: 'chips', role: 'group', 'aria-label': 'Did you mean' },
        r.options.map((o) =>
          h('button', { type: 'button', class: 'chip', onclick: () => void ask(o.question) }, o.label),
        ),
      ),
    );
  }
  const columns = r.columns.map((c) => ({
    key: c.name,
    title: c.name.split('.').slice(1).join(' ') || c.name,
    type: NUMERIC.test(c.type) ? 'number' : c.type,
  }));
  const table = r.rows.length
    ? renderTable(columns, r.rows, { max: 100, caption: question, suppressed: r.suppressed })
    : null;
  if (r.chart) {
    const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': `Chart: ${question}` });
    body.append(chartEl);
    renderChart(chartEl, r.chart, { height: 260 })
      .then((dispose) => cleanups.push(dispose))
      .catch(() => replace(chartEl, stateError('The chart could not be drawn; the table has the numbers.')));
    if (table) {
      table.hidden = true;
      body.append(table);
      tools.append(toggle('Show table', 'Hide table', table));
    }
  } else if (table) body.append(table);
  else if (r.status === 'ok') body.append(stateEmpty('No rows matched.'));
  if (r.semanticQuery || r.sql) {
    const pre = h(
      'div',
      { class: 'query', hidden: true },
      r.semanticQuery
        ? [h('h3', {}, 'Semantic query'), h('pre', {}, JSON.stringify(r.semanticQuery, null, 2))]
        : null,
      r.sql ? [h('h3', {}, 'SQL (governed)'), h('pre', {}, r.sql)] : null,
    );
    body.append(pre);
    tools.append(toggle('Show query', 'Hide query', pre));
  }
  if (r.semanticQuery && r.status === 'ok' && canEdit) {
    const mark = (r.chart?.mark as { type?: string } | string | undefined) ?? null;
    const chart =
      typeof mark === 'string' ? mark : (mark?.type ?? (r.rows.length === 1 ? 'number' : 'table'));
    tools.append(
      h(
        'button',
        {
          type: 'button',
          onclick: () =>
            void openAddToDashboard(api, {
              question,
              semanticQuery: r.semanticQuery!,
              chart: ['bar', 'line', 'area'].includes(chart)
                ? chart
                : r.rows.length === 1
                  ? 'number'
                  : 'table',
            }),
        },
        'Add to dashboard',
      ),
    );
  }
  const verifiable = r.semanticQuery
    ? { query: r.semanticQuery }
    : r.plannedSql
      ? { sql: r.plannedSql }
      : null;
  if (verifiable && r.status === 'ok' && canEdit && !r.verified) {
    const save = h('button', { type: 'button' }, 'Save as verified');
    save.addEventListener('click', () => {
      save.disabled = true;
      api
        .json<{ file: string }>('POST', '/v1/verified-queries', { question, ...verifiable })
        .then((v) => {
          save.replaceWith(
            h('span', { class: 'note saved', role: 'status' }, `Saved as verified (${v.file})`),
          );
        })
        .catch((e: Error) => {
          save.disabled = false;
          body.append(stateError(`Not saved: ${e.message}`));
        });
    });
    tools.append(save);
  }
  if (r.status !== 'error') tools.append(feedbackControls(api, r));
}

/** Thumbs up or down on the answer, with an optional comment, sent to POST /v1/feedback. */
function feedbackControls(api: Api, r: AskResult): HTMLElement {
  const box = h('div', { class: 'feedback', role: 'group', 'aria-label': 'Feedback on this answer' });
  const open = (rating: 'up' | 'down') => {
    const comment = h('textarea', { 'aria-label': 'Comment (optional)', rows: 2, maxlength: 2000 });
    const send = h('button', { type: 'button' }, 'Send feedback');
    send.addEventListener('click', () => {
      send.disabled = true;
      api
        .json('POST', '/v1/feedback', {
          conversationId: r.conversationId,
          ...(r.auditId ? { turnId: r.auditId } : {}),
          rating,
          ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
        })
        .then(() =>
          replace(box, h('span', { class: 'note', role: 'status' }, 'Thanks: your feedback was recorded.')),
        )
        .catch((e: Error) => {
          send.disabled = false;
          box.append(stateError(`Feedback not sent: ${e.message}`));
        });
    });
    replace(box, h('span', {}, rating === 'up' ? 'Helpful. ' : 'Not helpful. '), comment, send);
    comment.focus();
  };
  // Words, not emoji: an air-gapped desktop may have no emoji font.
  box.append(
    h('button', { type: 'button', onclick: () => open('up') }, 'Helpful'),
    h('button', { type: 'button', onclick: () => open('down') }, 'Not helpful'),
  );
  return box;
}

function toggle(show: string, hide: string, target: HTMLElement): HTMLElement {
  const b = h('button', { type: 'button', 'aria-expanded': 'false' }, show);
  b.addEventListener('click', () => {
    target.hidden = !target.hidden;
    b.textContent = target.hidden ? show : hide;
    b.setAttribute('aria-expanded', String(!target.hidden));
  });
  return b;
}

function labelOf(status: AskResult['status']): string {
  return status === 'clarify' ? 'Needs a choice' : status === 'refused' ? 'Refused' : 'Could not answer';
}
