import type { FlatCubeQuery } from '../../semantic/index.ts';

export type { FlatCubeQuery };

/** What the planner decided: a query, a question back, or that the question is out of scope. */
export type Plan =
  | { kind: 'query'; query: FlatCubeQuery; notes: string[] }
  | { kind: 'clarify'; message: string; options: Array<{ label: string; question: string }> }
  | { kind: 'out_of_scope'; message: string };
