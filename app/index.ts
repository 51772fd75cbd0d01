/**
 * What other folders (benchmarks, evals) may use of the CLI: the runtime `analyst ask`, `sql` and
 * `serve` are built on, so they measure the same wiring a user runs. The commands themselves are
 * reached through the `analyst` executable.
 */
export { contextOf, openRuntime, type RequestScope, type Runtime } from './runtime.ts';
