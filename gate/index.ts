/**
 * The governed SQL gate: row-level security and a sandbox for every SQL statement a person or a
 * model writes. Nothing else may run caller-written SQL.
 */
export { GateError, type GateErrorCode, PolicyRefusedError } from './errors.ts';
export {
  type AsOf,
  Gate,
  type GateOptions,
  type GovernedRelation,
  type GovernedResult,
  type RelationSource,
} from './gate.ts';
