/**
 * The question interpreter: a question → a typed logical form → governed SQL (or, for plain
 * aggregates, the semantic query path), driven by the caller's model and values, never by
 * wording in code.
 */
export { type AcronymReading, expandAcronyms } from './acronyms.ts';
export { asidesMayChange, asideWordsLeft, splitAsides, type Used, usedBy } from './asides.ts';
export { boundsLost } from './compared.ts';
export { compileSql } from './compile-sql.ts';
export { anchorQuery, dataRelativeRange, type LatestDate, relativeDates } from './data-dates.ts';
export { describeForm, describeQuery } from './describe.ts';
export { type Interpretation, interpret } from './interpret.ts';
export { type KpiMatch, kpiByDescription, looseUnit, restate } from './kpi.ts';
export {
  buildLexicon,
  type Lexicon,
  type LexiconCube,
  type LexiconMember,
  type LexiconValues,
  type MemberEntry,
  readableTitle,
} from './lexicon.ts';
export { type Condition, KINDS, type Kind, type LogicalForm } from './logical-form.ts';
export { maskedLookalike } from './masked-lookalike.ts';
export { periodsMissing } from './periods-missing.ts';
export { personRecords } from './person-records.ts';
export { interpretQuery, type QueryReading } from './query-form.ts';
export { type Granularity, readTime, type TimeIntent } from './read-time.ts';
export { retrieveMembers, retrieveValues } from './retrieve.ts';
export { formatAtGrain, timeFilter } from './time-filter.ts';
export { type FigureSides, figureSides, mergeFigures } from './two-figures.ts';
export { unnamedRecord } from './which-record.ts';
export { formYearOnlyConflict, yearOnlyConflict } from './year-only.ts';
