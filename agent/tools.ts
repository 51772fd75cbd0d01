import { z } from 'zod';
import type { FlatCubeQuery } from '../semantic/index.ts';
import { submitInterpretationArgs } from './interpreter/form-schema.ts';
import { SEMANTIC_FILTER_OPERATORS, TIME_GRANULARITIES } from './query-args.ts';

/**
 * The only tools a model may call: search the semantic model, run a semantic query, run governed
 * SQL, ask the caller a clarifying question. Every provider adapter offers these and nothing else;
 * the model never gets code execution, web search, files or any provider's built-in tools.
 */
export const ANALYST_TOOL_NAMES = [
  'search_semantic_model',
  'run_semantic_query',
  'run_governed_sql',
  'ask_clarifying_question',
  'submit_interpretation',
] as const;
export type AnalystToolName = (typeof ANALYST_TOOL_NAMES)[number];

const member = z.string().min(1).max(200).describe('A member name as cube.member, e.g. encounters.count');

/** Arguments of `search_semantic_model`: find members (and their synonyms) the caller may see. */
export const searchSemanticModelArgs = z
  .object({
    text: z.string().min(1).max(500).describe('Words to look for in member names, titles and synonyms'),
    kinds: z
      .array(z.enum(['cube', 'measure', 'dimension', 'segment']))
      .optional()
      .describe('Only these kinds of member'),
    limit: z.number().int().min(1).max(50).optional().describe('At most this many matches (default 10)'),
  })
  .strict();

/**
 * Arguments of `run_semantic_query`: Cube's REST query, in a form every provider's schema dialect
 * accepts (no tuples, no unions): `order` is a list of objects and `dateRange` a list of one
 * relative phrase or two dates. `toCubeQuery` turns it into Cube's own shape.
 */
export const runSemanticQueryArgs = z
  .object({
    measures: z.array(member).max(20).optional(),
    dimensions: z.array(member).max(20).optional(),
    timeDimensions: z
      .array(
        z
          .object({
            dimension: member,
            granularity: z.enum(TIME_GRANULARITIES).optional(),
            dateRange: z
              .array(z.string().min(1).max(100))
              .min(1)
              .max(2)
              .optional()
              .describe('["last year"] or ["2019-01-01", "2019-12-31"]'),
          })
          .strict(),
      )
      .max(5)
      .optional(),
    filters: z
      .array(
        z
          .object({
            member,
            operator: z.enum(SEMANTIC_FILTER_OPERATORS),
            values: z.array(z.string().max(500)).max(100).optional(),
          })
          .strict(),
      )
      .max(20)
      .optional(),
    segments: z.array(member).max(10).optional(),
    order: z
      .array(z.object({ member, direction: z.enum(['asc', 'desc']) }).strict())
      .max(10)
      .optional(),
    limit: z.number().int().min(1).max(50_000).optional(),
    ungrouped: z.boolean().optional(),
  })
  .strict();

/** Arguments of `run_governed_sql`: one SELECT, checked by the gate under the caller's policies. */
export const runGovernedSqlArgs = z
  .object({
    sql: z.string().min(1).max(20_000).describe('One read-only SELECT over governed relations'),
    reason: z.string().max(500).optional().describe('Why the semantic layer cannot answer this'),
  })
  .strict();

/** Arguments of `ask_clarifying_question`: a question back to the caller, with choices when known. */
export const askClarifyingQuestionArgs = z
  .object({
    question: z.string().min(1).max(1000),
    options: z.array(z.string().min(1).max(300)).max(10).optional(),
  })
  .strict();

/** Each tool's argument schema, by name. */
export const ANALYST_TOOL_ARGS = {
  search_semantic_model: searchSemanticModelArgs,
  run_semantic_query: runSemanticQueryArgs,
  run_governed_sql: runGovernedSqlArgs,
  ask_clarifying_question: askClarifyingQuestionArgs,
  submit_interpretation: submitInterpretationArgs,
} as const satisfies Record<AnalystToolName, z.ZodType>;

export type AnalystToolArgs = { [N in AnalystToolName]: z.infer<(typeof ANALYST_TOOL_ARGS)[N]> };

/** A tool call the model made, with arguments already validated. */
export type AnalystToolCall = {
  [N in AnalystToolName]: { id: string; name: N; args: AnalystToolArgs[N] };
}[AnalystToolName];

const DESCRIPTIONS: Record<AnalystToolName, string> = {
  search_semantic_model:
    'Search the measures, dimensions and segments the caller may see, by name, title and synonyms.',
  run_semantic_query:
    'Run a query against the semantic model (measures, dimensions, time dimensions, filters, order, limit).',
  run_governed_sql:
    'Run one read-only SQL SELECT over governed relations, only when the semantic model cannot answer.',
  ask_clarifying_question:
    'Ask the caller a question when the request is ambiguous, with the candidate choices.',
  submit_interpretation:
    'Submit what the question asks as a typed interpretation; the product compiles it to governed SQL. ' +
    'Fill only the fields of the kind; members as cube.member from the model given. ' +
    'Every kind: cube; all but cohort: filters (conditions on its dimensions), time (a period), within (rows whose key is a record of a cohort: "visits of patients with asthma"). ' +
    'aggregate: rows counted, or distinct (a key) with entity; list: the records or entities listed. ' +
    'distribution: stat (median, percentile with p, min, max, stddev, variance, range, iqr, avg, sum, count) of value; also: more stats of it; ' +
    'per {key, entity}: the stat over entities of each one’s rows counted or value summed; unit {from, to, name}: value in another unit of time. ' +
    'share: fraction of rows meeting condition, or each groupBy group’s part; of the sum of value when given. ' +
    'per_entity: rows or sum of value per entity through key, averaged. ' +
    'threshold: entities through key whose row count (or agg of value) is op n; list or count. ' +
    'cumulative: running total by grain. ' +
    'cohort: records of cube meeting every term (a term on cube itself, or on a cube whose key points at it; negated: none such), output count, list (with columns) or share of those meeting scope; ' +
    'or entities meeting first and (combine) second sides. ' +
    'comparison: agg (count, or sum/avg of value) in two periods (the change; difference: B minus A as said; rows: one row each), ' +
    'or for two groups, each {label, condition} (output difference = first minus second, ratio, or rows; differences: each row with its difference). ' +
    'lookup: attributes of the record whose key = id. ' +
    'groupBy/thenBy: a breakdown by a dimension or a grain (distribution, share, per_entity; cumulative groupBy only).',
};

/** A tool as offered to a model: OpenAI's function format, which every LangChain provider converts. */
export interface AnalystToolDefinition {
  type: 'function';
  function: { name: AnalystToolName; description: string; parameters: Record<string, unknown> };
}

/**
 * The JSON Schema definition of one of our tools, built from its zod schema.
 *
 * @example analystToolDefinition('run_governed_sql').function.parameters.required // => ['sql']
 */
export function analystToolDefinition(name: AnalystToolName): AnalystToolDefinition {
  const { $schema: _ignored, ...parameters } = z.toJSONSchema(ANALYST_TOOL_ARGS[name], {
    target: 'draft-07',
  }) as Record<string, unknown>;
  return { type: 'function', function: { name, description: DESCRIPTIONS[name], parameters } };
}

/** Whether a string is one of our tool names. */
export function isAnalystToolName(name: unknown): name is AnalystToolName {
  return typeof name === 'string' && (ANALYST_TOOL_NAMES as readonly string[]).includes(name);
}

/**
 * Turn validated `run_semantic_query` arguments into Cube's REST query.
 *
 * @example toCubeQuery({ measures: ['encounters.count'], order: [{ member: 'encounters.count', direction: 'desc' }] })
 * // => { measures: ['encounters.count'], order: [['encounters.count', 'desc']] }
 */
export function toCubeQuery(args: AnalystToolArgs['run_semantic_query']): FlatCubeQuery {
  const { timeDimensions, order, ...rest } = args;
  const q: FlatCubeQuery = { ...rest };
  if (timeDimensions) {
    q.timeDimensions = timeDimensions.map(({ dateRange, ...td }) => {
      if (!dateRange) return td;
      const range: string | [string, string] =
        dateRange.length === 2 ? [dateRange[0]!, dateRange[1]!] : dateRange[0]!;
      return { ...td, dateRange: range };
    });
  }
  if (order) q.order = order.map((o) => [o.member, o.direction]);
  return q;
}
