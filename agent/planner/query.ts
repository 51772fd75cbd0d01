import type { Granularity } from './time.ts';

/** Cube's REST query, the subset the planner writes. */
export interface CubeQuery {
  measures?: string[];
  dimensions?: string[];
  segments?: string[];
  timeDimensions?: Array<{
    dimension: string;
    granularity?: Granularity;
    dateRange?: string | [string, string];
  }>;
  filters?: Array<{ member: string; operator: string; values?: string[] }>;
  order?: Array<[string, 'asc' | 'desc']>;
  limit?: number;
  ungrouped?: boolean;
}

/** What the planner decided: a query, a question back, or that the question is out of scope. */
export type Plan =
  | { kind: 'query'; query: CubeQuery; notes: string[] }
  | { kind: 'clarify'; message: string; options: Array<{ label: string; question: string }> }
  | { kind: 'out_of_scope'; message: string };
