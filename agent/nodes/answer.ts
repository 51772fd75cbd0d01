import { chartFor } from '../chart.ts';
import type { ContextCache } from '../context-cache.ts';
import { describeQuery, formatAtGrain, readableTitle } from '../interpreter/index.ts';
import type { AgentStateType, AgentUpdate } from '../state.ts';
import type { SuppressedRows } from '../types.ts';

/** Close the turn: a short narrative, the chart when one helps, and the turn added to the history. */
export function makeAnswer(cache: ContextCache, now: () => Date = () => new Date()) {
  return async function answer(state: AgentStateType): Promise<AgentUpdate> {
    const plan = state.currentPlan;
    const gathered = state.ctx ? await cache.get(state.ctx) : undefined;
    const titles = gathered?.catalog.members ?? new Map();
    const title = (name: string): string => {
      const known = titles.get(name)?.title;
      if (known) return readableTitle(known);
      // A time dimension at a grain is named dimension.grain: "Start (year)".
      const grain = /^(.*)\.(second|minute|hour|day|week|month|quarter|year)$/.exec(name);
      if (grain && titles.has(grain[1] as string))
        return `${titles.get(grain[1] as string)?.title} (${grain[2]})`;
      return name.replace(/^[^.]+\./, '').replace(/_/g, ' ');
    };
    let status: 'ok' | 'clarify' | 'refused' | 'error' = state.status ?? 'ok';
    let text: string;
    let chart: Record<string, unknown> | null = null;
    let interpretation: string | null = null;
    if (state.status === 'refused') {
      text = `I can't run that for you: ${state.error ?? 'it is not allowed by your access policy'}`;
    } else if (plan?.kind === 'out_of_scope') {
      status = 'refused';
      text = plan.message;
    } else if (plan?.kind === 'clarify') {
      status = 'clarify';
      text = `${plan.message} ${plan.options.map((o) => o.label).join(' · ')}`;
    } else if (state.error || !state.result) {
      status = 'error';
      text = `I could not answer that: ${state.error ?? 'nothing was planned'}`;
    } else {
      if (plan?.kind === 'sql' && plan.interpretation) interpretation = plan.interpretation;
      else if (plan?.kind === 'query' && plan.interpretation) interpretation = plan.interpretation;
      else if (plan?.kind === 'query' && gathered)
        interpretation = describeQuery(plan.query, gathered.lexicon, now());
      // Withheld (suppressed) cells are told by narrate, which marks them and says why.
      const plain = !state.result.suppressed;
      // Several figures asked together: the last columns are the figures, one each.
      const figures = plan?.kind === 'query' ? Math.max(1, plan.query.measures?.length ?? 1) : 1;
      const figureRow =
        plain && figures > 1 && state.result.rows.length === 1 && state.result.columns.length === figures;
      const single = plain && state.result.rows.length === 1 && state.result.columns.length === 1;
      const value = state.result.rows[0]?.[0];
      text =
        single && interpretation
          ? `${interpretation}: ${plan?.kind === 'sql' && plan.percent && typeof value === 'number' ? `${(value * 100).toLocaleString('en-US', { maximumFractionDigits: 1 })}%` : fmt(value)}.`
          : figureRow && interpretation
            ? `${interpretation}: ${state.result.columns.map((c, i) => `${title(c.name)} ${fmt(state.result?.rows[0]?.[i], c.name)}`).join(', ')}.`
            : plain && state.result.rows.length === 1 && plan?.kind === 'sql' && plan.interpretation
              ? // One row of named figures (a comparison: both periods, the change): each with its name.
                `${plan.interpretation}: ${state.result.columns.map((c, i) => `${c.name} ${fmt(state.result?.rows[0]?.[i])}`).join(', ')}.`
              : narrate(
                  // A governed statement's "period" column reads at its grain ("2021-01" by month).
                  state.result.columns.map((c) =>
                    plan?.kind === 'sql' && plan.grain && c.name === 'period'
                      ? { name: `period.${plan.grain}` }
                      : c,
                  ),
                  state.result.rows,
                  title,
                  Boolean(state.result.truncated),
                  state.result.suppressed,
                  figures,
                );
      const tied = state.result.tiedPastLimit;
      if (tied?.length) {
        // Periods ranked ("which month had the most …") are told at their grain: 2021-08, not a timestamp.
        const grain =
          plan?.kind === 'query' && !plan.query.dimensions?.length
            ? plan.query.timeDimensions?.[0]?.granularity
            : undefined;
        const told = tied.slice(0, 5).map((v) => (grain ? formatAtGrain(v, grain) : v));
        text += ` Tied with the last of these: ${told.join(', ')}${tied.length > 5 ? ` and ${tied.length - 5} more` : ''}.`;
      }
      // Governed SQL a model wrote is its own reading of the question, not a defined measure: say
      // so. The interpreter's SQL carries its interpretation instead.
      if (plan?.kind === 'sql' && !plan.interpretation) text = `From SQL the model wrote: ${text}`;
      chart = chartFor(state.result.columns, state.result.rows, title);
    }
    const semanticQuery = plan?.kind === 'query' ? plan.query : null;
    return {
      status,
      answerText: text,
      interpretation,
      chart,
      history: [
        {
          question: state.question,
          status,
          semanticQuery: status === 'ok' ? semanticQuery : null,
          sql: state.result?.sql ?? null,
          answer: text,
          modelPlan: state.modelPlan ?? null,
        },
      ],
    };
  };
}

function fmt(v: unknown, column?: string): string {
  const grain = column && /\.(year|quarter|month|week|day)$/.exec(column)?.[1];
  if (grain) return formatAtGrain(v, grain);
  if (typeof v === 'number')
    return Number.isInteger(v)
      ? v.toLocaleString('en-US')
      : v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return v === null || v === undefined ? '—' : String(v);
}

/**
 * One or two sentences that say what the table says; the table itself travels beside it. Under
 * small-cell suppression a withheld value reads "< K" and the text says cells were suppressed; it
 * never states a number derived from the rows (no totals), so nothing withheld can be worked out.
 */
export function narrate(
  columns: { name: string }[],
  rows: unknown[][],
  title: (n: string) => string,
  truncated: boolean,
  suppressed?: SuppressedRows,
  /** How many of the last columns are figures (several asked together); the others say which row. */
  figures = 1,
): string {
  if (rows.length === 0) return 'No data matched the question.';
  const withheld = new Set(suppressed?.rows ?? []);
  const cell = (n: number, column?: string) => (v: unknown) =>
    withheld.has(n) && v === null ? `< ${suppressed?.minGroupSize}` : fmt(v, column);
  const note = withheld.size
    ? ` Some cells are suppressed to protect privacy: they count fewer than ${suppressed?.minGroupSize} people, or would reveal one that does, so their values are withheld.`
    : '';
  const first = rows[0] as unknown[];
  if (rows.length === 1 && columns.length === 1)
    return `${title(columns[0]?.name ?? '')}: ${cell(0)(first[0])}.${note}`;
  const k = Math.min(Math.max(1, figures), columns.length - 1);
  if (columns.length >= 2) {
    const lead = rows
      .slice(0, 3)
      .map(
        (r, n) =>
          `${r
            .slice(0, -k)
            .map((v, i) => cell(n, columns[i]?.name)(v))
            .join(' / ')} (${r
            .slice(-k)
            .map((v) => cell(n)(v))
            .join(' / ')})`,
      )
      .join(', ');
    const measure = columns
      .slice(-k)
      .map((c) => title(c.name))
      .join(' and ');
    const by = columns
      .slice(0, -k)
      .map((c) => title(c.name))
      .join(', ');
    return `${measure} by ${by}: ${lead}${rows.length > 3 ? `, and ${rows.length - 3} more` : ''}.${truncated ? ' (Only the first rows are shown.)' : ''}${note}`;
  }
  return `${rows.length} rows.${truncated ? ' (Only the first rows are shown.)' : ''}${note}`;
}
