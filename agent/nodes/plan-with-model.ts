import {
  AIMessage,
  type BaseMessage,
  HumanMessage,
  SystemMessage,
  ToolMessage,
} from '@langchain/core/messages';
import { isAnalystError } from '../../core/index.ts';
import type { ContextCache } from '../context-cache.ts';
import { InvalidInterpretation, readInterpretation } from '../interpreter/form-schema.ts';
import { compileSql, describeForm, retrieveMembers, retrieveValues } from '../interpreter/index.ts';
import { retrieveVerified } from '../interpreter/verified.ts';
import {
  DATA_HANDLING_RULES,
  IdentifierMatcher,
  type KnownIdentifier,
  PhiBoundary,
  quoteData,
} from '../phi/index.ts';
import type { CoveredChatModel } from '../providers/index.ts';
import type { AgentStateType, AgentUpdate, Turn } from '../state.ts';
import { toCubeQuery } from '../tools.ts';
import type { AgentDeps, EndpointGuard } from '../types.ts';
import { offlinePlan } from './plan.ts';

const MAX_SEARCHES = 3;

const SYSTEM = `You are a healthcare data analyst. Answer the caller's question by calling exactly one of:
submit_interpretation (for a statistic, share, per-entity figure, threshold, running total, cohort, comparison of two periods or two groups, record lookup or plain count: the typed interpretation; the product writes the query),
run_semantic_query (measures by dimensions, lists and rankings of the caller's semantic model),
run_governed_sql (only when neither can express it; SELECT over the model's cubes by name),
ask_clarifying_question (when the question is ambiguous; offer the candidates).
Verified queries, when given, were answered and checked by people: follow them for questions like theirs.
You may call search_semantic_model first to find members. Use only members listed as visible.
Placeholders such as [NAME_1] stand for values you must not see; use them as they are.`;

/**
 * Plan with a model endpoint: the question (through the PHI boundary for the endpoint's level),
 * the caller's visible schema and matched values go out; one of our tools comes back. Errors of
 * an earlier try are fed back for repair. If the endpoint fails, the offline planner answers
 * when `fallback` allows it.
 */
export function makeModelPlan(options: {
  cache: ContextCache;
  model: CoveredChatModel;
  deps: AgentDeps;
  now: () => Date;
  fallback: boolean;
  /** The endpoint's circuit breaker: counts calls, refuses while open, pages on incidents. */
  guard?: EndpointGuard | undefined;
}) {
  const { cache, model, deps, now } = options;
  // The name index is large and changes only when it is rebuilt: its matcher is built once per index.
  const indexMatchers = new WeakMap<readonly KnownIdentifier[], IdentifierMatcher>();
  const matcherFor = (index: readonly KnownIdentifier[]): IdentifierMatcher => {
    let m = indexMatchers.get(index);
    if (!m) {
      m = new IdentifierMatcher(index);
      indexMatchers.set(index, m);
    }
    return m;
  };
  return async function plan(state: AgentStateType): Promise<AgentUpdate> {
    if (!state.ctx) return { status: 'error', error: 'no caller context' };
    const { catalog, values, lexicon } = await cache.get(state.ctx);
    const [visible, everyName] = await Promise.all([
      deps.identifiers ? deps.identifiers(state.ctx) : [],
      deps.nameIndex ? deps.nameIndex() : undefined,
    ]);
    const vocabulary = [
      ...catalog.cubes.flatMap((c) => [
        c.name,
        c.title ?? '',
        ...(c.meta?.synonyms ?? []),
        ...[...c.measures, ...c.dimensions].flatMap((m) => [
          m.name,
          m.title ?? '',
          ...(m.meta?.synonyms ?? []),
        ]),
      ]),
      ...values.flatMap((v) => v.values),
    ];
    const boundary = new PhiBoundary({
      level: model.info.phi,
      knownIdentifiers: visible,
      knownMatcher: everyName ? matcherFor(everyName) : undefined,
      vocabulary,
      placeholders: state.placeholders ?? undefined,
      now: now(),
    });
    // The values the question names (as written or by a synonym the model gives), not every value.
    const valueMatches = retrieveValues(state.question, lexicon);
    // The top of the caller's model for this question, not all of it: the model can search for more.
    // The dimensions of the values it names come along (the model filters on them).
    const relevant = new Set([
      ...retrieveMembers(state.question, lexicon),
      ...valueMatches.map((v) => v.dimension),
    ]);
    const keep = (m: { name: string }) => relevant.has(m.name);
    // Nothing retrieved: the cubes by name and title only, and search_semantic_model for members.
    const schema = catalog.cubes
      .filter((c) => relevant.size === 0 || [...c.measures, ...c.dimensions].some(keep))
      .map((c) => ({
        cube: c.name,
        title: c.title,
        ...(relevant.size === 0
          ? {}
          : {
              examples: c.meta?.examples,
              measures: c.measures.filter(keep).map((m) => ({
                name: m.name,
                title: m.title,
                type: m.aggType ?? m.type,
                synonyms: m.meta?.synonyms,
              })),
              dimensions: c.dimensions.filter(keep).map((d) => ({
                name: d.name,
                title: d.title,
                type: d.type,
                synonyms: d.meta?.synonyms,
              })),
            }),
      }));
    // Verified queries like this question: examples a person checked, not the whole folder.
    const verified = deps.verifiedQueries
      ? retrieveVerified(state.question, await deps.verifiedQueries(), lexicon).map(({ verified: v }) => ({
          question: v.question,
          ...(v.query ? { query: v.query } : { sql: v.sql }),
        }))
      : [];

    const messages: BaseMessage[] = [new SystemMessage(`${SYSTEM}\n\n${DATA_HANDLING_RULES}`)];
    // Earlier turns as the model may see them: its own plan as it wrote it, or a plan made offline
    // with every value de-identified and quoted as data. Never how a turn ended: whether a query
    // ran, failed or returned rows depends on data.
    for (const turn of state.history.slice(-6)) {
      messages.push(new HumanMessage(boundary.question(turn.question)));
      messages.push(new AIMessage(previousPlan(turn, boundary)));
    }
    const prompt = boundary.prompt({ question: state.question, schema, valueMatches });
    messages.push(
      new HumanMessage(
        verified.length
          ? `${prompt}\n\nVerified queries like this question:\n${boundary.quoted('verified_queries', verified)}`
          : prompt,
      ),
    );
    // Only failures of the query itself come back here (see isStaticFailure): what the model hears
    // depends on what it wrote, never on rows.
    if (state.error)
      messages.push(
        new HumanMessage(
          `The previous plan is not valid (found before any data was read): ${boundary.quoted('error', state.error)}\nSend a corrected plan.`,
        ),
      );

    const exchanges: Array<{ prompt: string; response: string }> = [];
    // Why the model's last interpretation was refused, if it was: the answer says so.
    let refused: string | undefined;
    try {
      for (let i = 0; i <= MAX_SEARCHES; i++) {
        const invoke = () =>
          model.invoke(messages, {
            tools:
              i < MAX_SEARCHES
                ? [
                    'search_semantic_model',
                    'submit_interpretation',
                    'run_semantic_query',
                    'run_governed_sql',
                    'ask_clarifying_question',
                  ]
                : [
                    'submit_interpretation',
                    'run_semantic_query',
                    'run_governed_sql',
                    'ask_clarifying_question',
                  ],
            toolChoice: 'any',
            boundary,
          });
        const reply = options.guard ? await options.guard.run(model.info.endpoint, invoke) : await invoke();
        exchanges.push({
          // As it left: through the same outbound filter the covered model applies.
          prompt: boundary.outbound(messages.map((m) => `${m.getType()}: ${String(m.content)}`).join('\n\n')),
          response: JSON.stringify({ text: reply.text, toolCalls: reply.toolCalls }),
        });
        const call = reply.toolCalls[0];
        if (!call)
          return {
            error: 'The model answered without a plan.',
            exchanges,
            placeholders: boundary.placeholders,
          };
        if (call.name === 'search_semantic_model') {
          const args = boundary.restore(call.args) as { text?: string };
          // The same ranked retrieval as the prompt's: stems, small typos, synonyms, rare words first.
          const hits = retrieveMembers(String(args.text ?? ''), lexicon, 30).flatMap((name) => {
            const m = catalog.members.get(name);
            return m ? [{ name: m.member, title: m.title, kind: m.kind }] : [];
          });
          messages.push(
            reply.message,
            new ToolMessage({ content: boundary.schema(hits), tool_call_id: call.id }),
          );
          continue;
        }
        const base = {
          exchanges,
          placeholders: boundary.placeholders,
          error: null,
          modelPlan: JSON.stringify({ tool: call.name, args: call.args }),
        };
        if (call.name === 'submit_interpretation') {
          // The interpreter's logical form, checked against what the caller may see and compiled by
          // the interpreter's own compiler: the model chooses the reading, never the SQL.
          try {
            const form = readInterpretation(boundary.restore(call.args), lexicon);
            return {
              ...base,
              currentPlan: {
                kind: 'sql',
                sql: compileSql(form, lexicon),
                interpretation: describeForm(form, lexicon),
                percent: form.kind === 'share',
              },
            };
          } catch (err) {
            if (!(err instanceof InvalidInterpretation)) throw err;
            refused = err.message;
            messages.push(
              reply.message,
              new ToolMessage({
                content: `Not a valid interpretation: ${boundary.quoted('error', err.message)}. Send a corrected one.`,
                tool_call_id: call.id,
              }),
            );
            continue;
          }
        }
        if (call.name === 'run_semantic_query') {
          const query = boundary.restore(toCubeQuery(call.args as Parameters<typeof toCubeQuery>[0]));
          return {
            ...base,
            currentPlan: { kind: 'query', query, notes: [`model ${model.info.endpoint}`] },
          };
        }
        if (call.name === 'run_governed_sql') {
          return {
            ...base,
            currentPlan: { kind: 'sql', sql: boundary.restore(String((call.args as { sql: string }).sql)) },
          };
        }
        // A choice is offered only when it is a member or a value the product knows (checked as the
        // model wrote it, so "x[NAME_1]x" is no choice); the model's own words are labelled as such.
        const args = call.args as { question?: string; options?: string[] };
        const known = new Map<string, string>();
        for (const m of catalog.members.values()) {
          known.set(m.member.toLowerCase(), m.title);
          known.set(m.title.toLowerCase(), m.title);
        }
        for (const v of values) for (const x of v.values) known.set(x.toLowerCase(), x);
        const choices = [
          ...new Set((args.options ?? []).flatMap((o) => known.get(o.trim().toLowerCase()) ?? [])),
        ];
        return {
          ...base,
          // The history keeps the choices the product accepted, not the model's free text.
          modelPlan: JSON.stringify({ tool: call.name, args: { options: choices } }),
          currentPlan: {
            kind: 'clarify',
            message: `The model asks (its own words): ${boundary.restore(args.question ?? 'Could you say more?')}`,
            options: choices.map((o) => ({ label: o, question: o })),
          },
        };
      }
      return {
        error: refused
          ? `The model's interpretation was refused: ${refused}.`
          : 'The model kept searching without a plan.',
        exchanges,
        placeholders: boundary.placeholders,
      };
    } catch (err) {
      const code = isAnalystError(err) ? err.code : 'MODEL_CALL_FAILED';
      if (!options.fallback) {
        // No fallback configured: the turn ends with the failure, audited like any answer.
        return {
          currentPlan: null,
          error: `${code}: the model endpoint "${model.info.endpoint}" failed and no fallback is configured.`,
          exchanges,
          placeholders: boundary.placeholders,
          modelFailure: code,
          attempts: 99,
        };
      }
      // The endpoint failed (or its circuit is open): answer with the offline planner instead.
      const plan = offlinePlan(
        state.question,
        { catalog, values, lexicon },
        state.previousQuery ?? undefined,
        now(),
      );
      return {
        currentPlan:
          plan.kind === 'query' ? { ...plan, notes: [...plan.notes, `fallback after ${code}`] } : plan,
        exchanges,
        placeholders: boundary.placeholders,
        modelFailure: code,
      };
    }
  };
}

/** What an earlier turn shows the model: the plan only, quoted, in the model's own placeholdered form. */
function previousPlan(turn: Turn, boundary: PhiBoundary): string {
  if (turn.modelPlan)
    return `Plan used: ${quoteData('previous_plan', JSON.parse(turn.modelPlan) as unknown)}`;
  if (turn.semanticQuery) return `Plan used: ${boundary.quoted('previous_plan', turn.semanticQuery)}`;
  return 'No plan was made.';
}
