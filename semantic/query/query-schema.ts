import { z } from 'zod';
import { FILTER_OPERATORS } from '../compiler/index.ts';

export const GRANULARITIES = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const memberName = z.string().min(3).max(300);

/** A leaf filter as Cube's REST API accepts it (`dimension` is the older spelling of `member`). */
const leafFilter = z
  .object({
    member: memberName.optional(),
    dimension: memberName.optional(),
    operator: z.enum(FILTER_OPERATORS),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .max(10_000)
      .optional(),
  })
  .strict();

/** One condition on one member. */
export type CubeLeafFilter = z.infer<typeof leafFilter>;

export type CubeFilter = CubeLeafFilter | { and: CubeFilter[] } | { or: CubeFilter[] };

/** A filter: a leaf, or `and` / `or` of filters (recursive). */
export const cubeFilterSchema: z.ZodType<CubeFilter, CubeFilter> = z.lazy(() =>
  z.union([
    leafFilter,
    z.object({ and: z.array(cubeFilterSchema) }).strict(),
    z.object({ or: z.array(cubeFilterSchema) }).strict(),
  ]),
);

const orderDir = z.enum(['asc', 'desc']);
const dateRange = z.union([z.string().min(1), z.tuple([z.string(), z.string()])]);

/**
 * Cube's REST query (`/cubejs-api/v1/load?query=…`). Unknown keys are rejected so a misspelt
 * option never silently changes the answer; `renewQuery` is accepted and has no effect (no cache).
 */
export const cubeQuerySchema = z
  .object({
    measures: z.array(memberName).optional(),
    dimensions: z.array(memberName).optional(),
    timeDimensions: z
      .array(
        z
          .object({
            dimension: memberName,
            /** One of GRANULARITIES, or a custom granularity the dimension defines. */
            granularity: z
              .string()
              .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'a granularity name such as month or fiscal_year')
              .optional(),
            dateRange: dateRange.optional(),
            /** Several date ranges: one result per range (`compareDateRangeQuery`). */
            compareDateRange: z.array(dateRange).min(1).max(12).optional(),
          })
          .strict(),
      )
      .optional(),
    filters: z.array(cubeFilterSchema).optional(),
    segments: z.array(memberName).optional(),
    order: z.union([z.record(z.string(), orderDir), z.array(z.tuple([z.string(), orderDir]))]).optional(),
    limit: z.number().int().min(0).max(50_000).optional(),
    rowLimit: z.number().int().min(0).max(50_000).optional(),
    offset: z.number().int().min(0).optional(),
    total: z.boolean().optional(),
    ungrouped: z.boolean().optional(),
    timezone: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'an IANA time zone such as UTC or America/New_York')
      .optional(),
    renewQuery: z.boolean().optional(),
    responseFormat: z.enum(['default', 'compact']).optional(),
  })
  .strict();

/** A query in Cube's REST format. */
export type CubeQuery = z.input<typeof cubeQuerySchema>;

/**
 * A CubeQuery in the flat form the agent writes: leaf filters on named members (no `and`/`or`)
 * and `order` as `[member, direction]` pairs. Every FlatCubeQuery is a CubeQuery.
 */
export type FlatCubeQuery = Omit<CubeQuery, 'filters' | 'order'> & {
  filters?: Array<CubeLeafFilter & { member: string }>;
  order?: Array<[string, 'asc' | 'desc']>;
};
