import { openAddToDashboard } from './add-to-dashboard.ts';
import type { Api, ApiError } from './api.ts';
import { renderChart } from './chart.ts';
import { h, replace, stateEmpty, stateError, stateLoading } from './dom.ts';
import type { Me } from './session.ts';
import { renderTable } from './table.ts';

interface AskResult {
  status: 'ok' | 'clarify' | 'refused' | 'error';
  answer: string;
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
  sql: string | null;
  semanticQuery: Record<string, unknown> | null;
  chart: Record<string, unknown> | null;
  conversationId: string;
  options?: Array<{ label: string; question: string }>;
}

interface Turn {
  question: string;
  status: string;
  semanticQuery: Record<string, unknown> | null;
  sql: string | null;
  answer: string;
}

const STEPS: Record<string, string> = {
  understand: 'Understanding the question',
  gather_context: 'Looking up the data model',
  plan: 'Planning the query',
  validate: 'Checking the query against your access',
  execute: 'Running the query',
  repair: 'Repairing the query',
  answer: 'Writing the answer',
};

const EXAMPLES = [
  'How many patients are there?',
  'Encounters per year',
  'Patients by gender',
  'Conditions by description',
];
const NUMERIC =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/** Conversations this tab has had: ids and first questions (this tab only, like the token). */
function historyKey(me: Me): string {
  return `analyst.conversations.${me.id}`;
}
function loadHistory(me: Me): Array<{ id: string; title: string }> {
  return JSON.parse(sessionStorage.getItem(historyKey(me)) ?? '[]') as Array<{ id: string; title: string }>;
}
function remember(me: Me, id: string, title: string): void {
  const list = loadHistory(me).filter((c) => c.id !== id);
  sessionStorage.setItem(
    historyKey(me),
    JSON.stringify([{ id, title: title.slice(0, 80) }, ...list].slice(0, 30)),
  );
}

/**
 * The chat: questions streamed to the agent (its steps shown as they happen), answers with a
 * chart, the table and the query on request, clarifications as buttons, follow-ups in the same
 * conversation, and this tab's conversation history in the sidebar.
 */
export function renderChat(root: HTMLElement, api: Api, me: Me, conversationId?: string): () => void {
  let current: string | undefined = conversationId;
  let busy = false;
  const cleanups: Array<() => void> = [];
  const thread = h('div', { class: 'thread', 'aria-live': 'polite', 'aria-label': 'Conversation' });
  const historyList = h('ul', { class: 'history' });
  const input = h('textarea', {
    id: 'question',
    rows: 2,
    placeholder: 'Ask a question about your data…',
    'aria-label': 'Question',
    maxlength: 4000,
  });
  const askButton = h('button', { type: 'submit', class: 'primary' }, 'Ask');
  const form = h(
    'form',
    {
      class: 'composer',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void ask(input.value);
      },
    },
    input,
    askButton,
  );
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void ask(input.value);
    }
  });

  const drawHistory = () => {
    const items = loadHistory(me);
    replace(
      historyList,
      items.length
        ? items.map((c) =>
            h(
              'li',
              {},
              h('a', { href: `#/chat/${c.id}`, 'aria-current': c.id === current ? 'page' : null }, c.title),
            ),
          )
        : h('li', { class: 'muted small' }, 'No conversations yet in this tab.'),
    );
  };
  const emptyState = () =>
    h(
      'div',
      { class: 'welcome' },
      h('h2', {}, 'Ask about your data'),
      h(
        'p',
        { class: 'muted' },
        'Answers come from the governed semantic model, under your access policies.',
      ),
      h(
        'div',
        { class: 'chips' },
        EXAMPLES.map((q) => h('button', { type: 'button', class: 'chip', onclick: () => void ask(q) }, q)),
      ),
    );

  async function ask(raw: string): Promise<void> {
    const question = raw.trim();
    if (!question || busy) return;
    busy = true;
    askButton.disabled = true;
    input.value = '';
    thread.querySelector('.welcome')?.remove();
    thread.append(h('div', { class: 'bubble question' }, question));
    const progress = h('ol', { class: 'steps' });
    const card = h(
      'article',
      { class: 'answer card', 'aria-busy': 'true' },
      stateLoading('Thinking…'),
      progress,
    );
    thread.append(card);
    card.scrollIntoView({ block: 'end' });
    try {
      let result: AskResult | null = null;
      for await (const ev of api.stream('/v1/chat', {
        question,
        ...(current ? { conversationId: current } : {}),
      })) {
        const data = ev.data as Record<string, unknown>;
        if (ev.event === 'start' && typeof data.conversationId === 'string') {
          if (!current) remember(me, data.conversationId, question);
          current = data.conversationId;
          if (location.hash !== `#/chat/${current}`) history.replaceState(null, '', `#/chat/${current}`);
          drawHistory();
        } else if (ev.event === 'step') {
          const label = STEPS[String(data.node)] ?? String(data.node);
          progress.querySelector('li:last-child')?.classList.add('done');
          progress.append(h('li', {}, label));
        } else if (ev.event === 'result') result = data as unknown as AskResult;
        else if (ev.event === 'error')
          throw Object.assign(new Error('The answer failed on the server.'), data.error as object);
      }
      card.removeAttribute('aria-busy');
      if (!result) replace(card, stateError('No answer came back.'));
      else drawAnswer(card, result, question);
    } catch (err) {
      card.removeAttribute('aria-busy');
      replace(card, stateError((err as Error).message, (err as ApiError).code));
    } finally {
      busy = false;
      askButton.disabled = false;
      input.focus();
      card.scrollIntoView({ block: 'nearest' });
    }
  }

  function drawAnswer(card: HTMLElement, r: AskResult, question: string): void {
    const canEdit = me.roles.some((x) => x === 'admin' || x === 'analyst');
    const badge =
      r.status === 'ok'
        ? null
        : h('span', { class: `badge ${r.status === 'clarify' ? 'info' : 'warn'}` }, labelOf(r.status));
    const body = h('div', { class: 'answer-body' });
    const tools = h('div', { class: 'row tools' });
    replace(card, h('p', { class: 'answer-text' }, badge, r.answer), body, tools);
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
    const table = r.rows.length ? renderTable(columns, r.rows, { max: 100, caption: question }) : null;
    if (r.chart) {
      const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': `Chart: ${question}` });
      body.append(chartEl);
      renderChart(chartEl, r.chart, { height: 260 })
        .then((dispose) => cleanups.push(dispose))
        .catch(() =>
          replace(chartEl, stateError('The chart could not be drawn; the table has the numbers.')),
        );
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
  }

  async function loadConversation(id: string): Promise<void> {
    replace(thread, stateLoading('Loading the conversation…'));
    try {
      const c = await api.json<{ id: string; turns: Turn[] }>(
        'GET',
        `/v1/conversations/${encodeURIComponent(id)}`,
      );
      replace(thread);
      if (!c.turns.length) thread.append(emptyState());
      for (const t of c.turns) {
        thread.append(h('div', { class: 'bubble question' }, t.question));
        const card = h('article', { class: 'answer card' });
        drawAnswer(
          card,
          {
            ...t,
            status: t.status as AskResult['status'],
            columns: [],
            rows: [],
            chart: null,
            conversationId: id,
          },
          t.question,
        );
        card.append(h('p', { class: 'muted small' }, 'Earlier answer: ask again to see its rows.'));
        thread.append(card);
      }
    } catch (err) {
      replace(thread, stateError((err as ApiError).message, (err as ApiError).code));
    }
  }

  replace(
    root,
    h(
      'div',
      { class: 'chat-layout' },
      h(
        'aside',
        { class: 'sidebar', 'aria-label': 'Conversations' },
        h(
          'button',
          { type: 'button', class: 'primary block', onclick: () => (location.hash = '#/chat') },
          'New conversation',
        ),
        h('h2', { class: 'small-title' }, 'This session'),
        historyList,
      ),
      h('section', { class: 'chat-main' }, thread, form),
    ),
  );
  drawHistory();
  if (current) void loadConversation(current);
  else thread.append(emptyState());
  input.focus();
  return () => {
    for (const dispose of cleanups) dispose();
  };
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
