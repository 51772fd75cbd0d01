import { z } from 'zod';
import { cubeQuerySchema } from '../semantic/index.ts';

/** Dashboard, tile and filter ids: safe in file names, URLs and CSS selectors. */
export const idSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ and - (at most 64)');

const memberSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){1,2}$/, 'cube.member');

/** Where a tile sits on the 12-column grid; rows are a fixed height. */
export const positionSchema = z
  .object({
    x: z.number().int().min(0).max(11),
    y: z.number().int().min(0).max(1000),
    w: z.number().int().min(1).max(12),
    h: z.number().int().min(1).max(12),
  })
  .strict()
  .refine((p) => p.x + p.w <= 12, 'x + w must be at most 12');

const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** A filter every tile takes (unless the tile maps it to nothing). */
export const filterSchema = z.discriminatedUnion('type', [
  z
    .object({
      id: idSchema,
      type: z.literal('date_range'),
      label: z.string().min(1).max(80),
      /** The time dimension filtered; a tile may name another one under `filters`. */
      member: memberSchema,
      default: z.tuple([dateSchema, dateSchema]).optional(),
    })
    .strict(),
  z
    .object({
      id: idSchema,
      type: z.literal('select'),
      label: z.string().min(1).max(80),
      /** The dimension filtered; its values (under the viewer's policies) are the choices. */
      member: memberSchema,
      default: z.string().max(500).optional(),
    })
    .strict(),
]);

export const CHART_TYPES = ['bar', 'line', 'area', 'number', 'table'] as const;

/** One tile: a semantic query, how it is drawn, where it sits and how filters reach it. */
export const tileSchema = z
  .object({
    id: idSchema,
    title: z.string().min(1).max(120),
    description: z.string().max(500).optional(),
    query: cubeQuerySchema,
    chart: z.enum(CHART_TYPES).default('table'),
    /** A Vega-Lite spec used instead of `chart`; the tile's rows are its data (fields are member names). */
    vega_lite: z.record(z.string(), z.unknown()).optional(),
    position: positionSchema,
    /** Filter id → the member it filters in this tile, or null when the filter does not apply here. */
    filters: z.record(idSchema, memberSchema.nullable()).default({}),
    /** The rows a click on the tile drills into (ungrouped, masked by the viewer's policies). */
    drill: z
      .object({ dimensions: z.array(memberSchema).min(1).max(30) })
      .strict()
      .optional(),
  })
  .strict();

/** A `dashboards/<id>.yaml` file (the id is the file name). */
export const dashboardFileSchema = z
  .object({
    title: z.string().min(1).max(120),
    description: z.string().max(1000).optional(),
    filters: z.array(filterSchema).max(12).default([]),
    tiles: z.array(tileSchema).max(60).default([]),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    for (const [i, t] of d.tiles.entries()) {
      if (seen.has(t.id))
        ctx.addIssue({ code: 'custom', path: ['tiles', i, 'id'], message: 'duplicate tile id' });
      seen.add(t.id);
      for (const f of Object.keys(t.filters))
        if (!d.filters.some((x) => x.id === f))
          ctx.addIssue({
            code: 'custom',
            path: ['tiles', i, 'filters', f],
            message: 'no such dashboard filter',
          });
    }
    const filterIds = new Set<string>();
    for (const [i, f] of d.filters.entries()) {
      if (filterIds.has(f.id))
        ctx.addIssue({ code: 'custom', path: ['filters', i, 'id'], message: 'duplicate filter id' });
      filterIds.add(f.id);
    }
  });

export type DashboardFile = z.infer<typeof dashboardFileSchema>;
export type DashboardFilter = z.infer<typeof filterSchema>;
export type Tile = z.infer<typeof tileSchema>;
export type TileInput = z.input<typeof tileSchema>;
export type TilePosition = z.infer<typeof positionSchema>;
export type ChartType = (typeof CHART_TYPES)[number];

/** A loaded dashboard: its file plus where it came from. */
export interface Dashboard extends DashboardFile {
  id: string;
}

/**
 * Filter values a viewer sends: a date range as two dates, a select as one value; absent or
 * null means "all".
 */
export const filterValuesSchema = z
  .record(idSchema, z.union([z.tuple([dateSchema, dateSchema]), z.string().min(1).max(500), z.null()]))
  .default({});

export type FilterValues = z.infer<typeof filterValuesSchema>;
