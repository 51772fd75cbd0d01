import { type AnswerContext, type AskResult, drawAnswer } from './answer-card.ts';
import type { Api, ApiError } from './api.ts';
import { h, replace, stateError, stateLoading } from './dom.ts';
import type { Me } from './session.ts';

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
  const answerContext: AnswerContext = { api, me, ask: (q) => void ask(q), cleanups };
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
      else drawAnswer(card, result, question, answerContext);
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
          answerContext,
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
