/** The offline planner: deterministic question → semantic query, no model. */
export { buildCatalog, type MetaCube, type MetaMember, type PlannerCatalog } from './catalog.ts';
export { planQuestion } from './plan.ts';
export type { FlatCubeQuery, Plan } from './query.ts';
export { type Granularity, readTime, type TimeIntent } from './time.ts';
export type { ValueIndex } from './values.ts';
export { yearOnlyConflict } from './year-only.ts';
