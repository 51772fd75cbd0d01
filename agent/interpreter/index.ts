/**
 * The question interpreter: a question → a typed logical form → governed SQL (or, for plain
 * aggregates, the semantic query path), driven by the caller's model and values, never by
 * wording in code.
 */
export { compileSql } from './compile-sql.ts';
export { describeForm, describeQuery } from './describe.ts';
export { type Interpretation, interpret } from './interpret.ts';
export {
  buildLexicon,
  type Lexicon,
  type LexiconCube,
  type LexiconMember,
  type LexiconValues,
  readableTitle,
} from './lexicon.ts';
export { type Condition, KINDS, type Kind, type LogicalForm } from './logical-form.ts';
export { retrieveMembers, retrieveValues } from './retrieve.ts';
export { formatAtGrain, timeFilter } from './time-filter.ts';
