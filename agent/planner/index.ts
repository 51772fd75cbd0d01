/** The offline planner: deterministic question → semantic query, no model. */
export { buildCatalog, type MetaCube, type MetaMember, type PlannerCatalog } from './catalog.ts';
export { type CubeQuery, type Plan, planQuestion, type ValueIndex } from './plan.ts';
export { type Granularity, readTime, type TimeIntent } from './time.ts';
