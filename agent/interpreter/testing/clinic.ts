// An invented model (a clinic's visits, members and refills) for the interpreter's unit tests: no
// name of the bundled Synthea model, so the tests prove mechanisms, not wording.
import { buildLexicon, type LexiconCube } from '../index.ts';

export const clinicCubes: LexiconCube[] = [
  {
    name: 'members',
    title: 'Members',
    meta: { synonyms: ['people', 'enrollees'] },
    measures: [{ name: 'members.count', title: 'Members Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'members.id', title: 'Id', type: 'string', primaryKey: true },
      {
        name: 'members.sex',
        title: 'Sex',
        type: 'string',
        meta: { value_synonyms: { F: ['female', 'women'], M: ['male', 'men'] } },
      },
      { name: 'members.has_died', title: 'Has Died', type: 'boolean', meta: { synonyms: ['deceased'] } },
      { name: 'members.lifetime_spend', title: 'Lifetime Spend', type: 'number' },
      { name: 'members.joined_at', title: 'Joined At', type: 'time' },
    ],
  },
  {
    name: 'visits',
    title: 'Visits',
    meta: { synonyms: ['appointments'] },
    measures: [
      { name: 'visits.count', title: 'Visits Count', type: 'number', aggType: 'count' },
      {
        name: 'visits.total_total_charge',
        title: 'Visits Total Total Charge',
        shortTitle: 'Total Total Charge',
        type: 'number',
        aggType: 'sum',
      },
      { name: 'visits.avg_charge', title: 'Average Charge', type: 'number', aggType: 'avg' },
      {
        name: 'visits.distinct_members',
        title: 'Distinct Members',
        type: 'number',
        aggType: 'countDistinct',
        meta: { synonyms: ['members seen'] },
      },
      {
        name: 'visits.urgent_rate',
        title: 'Urgent Rate',
        type: 'number',
        meta: { synonyms: ['percent urgent'] },
      },
    ],
    dimensions: [
      { name: 'visits.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'visits.member', title: 'Member', type: 'string' },
      { name: 'visits.setting', title: 'Setting', type: 'string' },
      { name: 'visits.charge', title: 'Charge', type: 'number' },
      {
        name: 'visits.wait_minutes',
        title: 'Wait (minutes)',
        type: 'number',
        meta: { unit: 'minute', additive: false },
      },
      { name: 'visits.started_at', title: 'Started At', type: 'time' },
      { name: 'visits.site', title: 'Site', type: 'string' },
    ],
  },
  {
    name: 'sites',
    title: 'Sites',
    meta: { synonyms: ['locations'] },
    measures: [{ name: 'sites.count', title: 'Sites Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'sites.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'sites.name', title: 'Name', type: 'string' },
      { name: 'sites.town', title: 'Town', type: 'string', meta: { synonyms: ['city'] } },
    ],
  },
  {
    name: 'refills',
    title: 'Refills',
    measures: [{ name: 'refills.count', title: 'Refills Count', type: 'number', aggType: 'count' }],
    dimensions: [
      { name: 'refills.id', title: 'Id', type: 'string', primaryKey: true },
      { name: 'refills.member', title: 'Member', type: 'string' },
      { name: 'refills.charge', title: 'Charge', type: 'number' },
      {
        name: 'refills.ended_on',
        title: 'Ended On',
        type: 'string',
        meta: { null_means: ['open', 'pending'], not_null_means: ['closed'] },
      },
    ],
  },
];
/** The clinic's lexicon, with the stored values of its settings and plans. */
export const clinicLexicon = buildLexicon(clinicCubes, [
  { dimension: 'visits.setting', values: ['urgent', 'routine', 'home'] },
  { dimension: 'sites.name', values: ['Harbor View Practice', 'Elm Street Practice'] },
]);
