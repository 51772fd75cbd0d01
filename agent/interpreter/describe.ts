import type { FlatCubeQuery } from '../../semantic/index.ts';
import { describeCohort } from './cohort.ts';
import { type Lexicon, readableTitle } from './lexicon.ts';
import type { ComparedGroup, Condition, Figure, LogicalForm } from './logical-form.ts';
import { contentStems } from './text.ts';
import { formatAtGrain, startInWords, timeFilter } from './time-filter.ts';

function title(lexicon: Lexicon, member: string): string {
  return (
    lexicon.members.get(member)?.title ?? readableTitle(member.split('.').pop()?.replace(/_/g, ' ') ?? member)
  );
}

/** "allergies" → "allergy", "encounters" → "encounter". */
function singular(noun: string): string {
  return noun.replace(/ies$/, 'y').replace(/([^s])s$/, '$1');
}

function noun(lexicon: Lexicon, cube: string): string {
  return (lexicon.cubes.get(cube)?.title ?? cube).toLowerCase();
}

function condition(lexicon: Lexicon, c: Condition): string {
  // A record's name stands for the record: "Payer is Medicaid", not "Name is Medicaid".
  const m = lexicon.members.get(c.member);
  const owner = m ? lexicon.cubes.get(m.cube) : undefined;
  const t =
    owner?.label === c.member && /^name$/i.test(m?.title ?? '')
      ? singular(owner.title)
      : title(lexicon, c.member);
  switch (c.op) {
    case 'in':
      return `${t} is ${c.values.join(' or ')}`;
    case 'is_true':
      return `${t} = yes`;
    case 'is_false':
      return `${t} = no`;
    case 'is_null':
      return `${t} not recorded`;
    case 'is_not_null':
      return `${t} recorded`;
    default:
      return `${t} ${{ gt: '>', gte: '≥', lt: '<', lte: '≤' }[c.op]} ${c.value}`;
  }
}

/** ", among patients with …": the cohort whose records the rows are kept to. */
function among(lexicon: Lexicon, f: LogicalForm): string {
  return ('within' in f ? (f.within ?? []) : [])
    .map((w) => `, among ${describeCohort(w.cohort, lexicon).replace(/^\S/, (c) => c.toLowerCase())}`)
    .join('');
}

function scope(lexicon: Lexicon, f: LogicalForm): string {
  const where = f.filters.length ? ` where ${f.filters.map((c) => condition(lexicon, c)).join(' and ')}` : '';
  return `${where}${among(lexicon, f)}${f.time ? `, ${f.time.label}` : ''}`;
}

/** "women (Gender is F)", "inpatient" when the words said are the value itself. */
function groupText(lexicon: Lexicon, g: ComparedGroup): string {
  const c = g.condition;
  const said = c.op === 'in' && c.values.length === 1 && c.values[0]?.toLowerCase() === g.label.toLowerCase();
  return said ? `${g.label} (${title(lexicon, c.member)})` : `${g.label} (${condition(lexicon, c)})`;
}

/** One side of a ratio: "Total Claim Cost of encounters", "Number of patients where Gender is F, 2021". */
function figureText(lexicon: Lexicon, x: Figure): string {
  const rows = noun(lexicon, x.cube);
  const what =
    x.agg === 'count'
      ? `Number of ${rows}`
      : `${readableTitle(`${x.agg === 'avg' ? 'Average' : 'Total'} ${title(lexicon, x.value as string)}`)} of ${rows}`;
  const where = x.filters.length ? ` where ${x.filters.map((c) => condition(lexicon, c)).join(' and ')}` : '';
  return `${what}${where}${x.time ? ` (${x.time.label})` : ''}`;
}

/** A distribution's column, with the unit it is answered in: "Duration in hours". */
function valueTitle(lexicon: Lexicon, f: Extract<LogicalForm, { kind: 'distribution' }>): string {
  const t = f.less
    ? `${title(lexicon, f.value as string)} minus ${title(lexicon, f.less)}`
    : title(lexicon, f.value as string);
  if (!f.unit) return t;
  return `${t.replace(/\s*\((?:seconds|minutes|hours|days|weeks)\)/i, '')} in ${f.unit.name}`;
}

const ORDINAL = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/**
 * What a logical form computes, in words a person would write.
 *
 * @example describeForm(form, lexicon) // "Median of Total Claim Cost over all encounters, 2021"
 */
export function describeForm(f: LogicalForm, lexicon: Lexicon): string {
  const text = describeOne(f, lexicon);
  if (!f.groupBy) return text;
  const named = (g: NonNullable<LogicalForm['groupBy']>) =>
    'member' in g ? groupTitle(lexicon, f.cube, g.member) : g.grain;
  // A share broken down twice is of each second group's whole ("by Encounter Class within each year").
  const second = f.thenBy
    ? `${f.kind === 'share' && !f.condition && f.whole !== 'all' ? ' within each' : ' and'} ${named(f.thenBy)}`
    : '';
  const by = `${named(f.groupBy)}${second}`;
  // "Median of Charge over all visits, 2023" → "… by Setting, 2023": the breakdown before the period.
  const at = f.time ? text.lastIndexOf(`, ${f.time.label}`) : -1;
  return at >= 0 ? `${text.slice(0, at)} by ${by}${text.slice(at)}` : `${text} by ${by}`;
}

/** A breakdown's name: the records pointed at by their own title when it is their label ("by Payers"). */
function groupTitle(lexicon: Lexicon, cube: string, member: string): string {
  const owner = lexicon.cubes.get(lexicon.members.get(member)?.cube ?? cube);
  return owner && owner.name !== cube && owner.label === member ? owner.title : title(lexicon, member);
}

function describeOne(f: LogicalForm, lexicon: Lexicon): string {
  const rows = noun(lexicon, f.cube);
  switch (f.kind) {
    case 'aggregate': {
      const pk = lexicon.cubes.get(f.cube)?.primaryKey;
      const what = f.entity
        ? `${noun(lexicon, f.entity)} with ${rows}`
        : f.distinct && f.distinct !== pk
          ? `distinct ${title(lexicon, f.distinct)} values of ${rows}`
          : rows;
      if (!f.list) return `Number of ${what}${scope(lexicon, f)}`;
      const listed = f.entity ? `${noun(lexicon, f.entity)} with ${rows}` : rows;
      return `${listed[0]?.toUpperCase()}${listed.slice(1)}${scope(lexicon, f)}`;
    }
    case 'distribution': {
      const names = [f, ...(f.also ?? [])].map((s, i) => {
        const name =
          s.stat === 'percentile'
            ? `${ORDINAL(s.p)} percentile`
            : {
                median: 'Median',
                min: 'Minimum',
                max: 'Maximum',
                stddev: 'Standard deviation',
                variance: 'Variance',
                range: 'Range (maximum minus minimum)',
                iqr: 'Interquartile range (75th minus 25th percentile)',
                avg: 'Average',
                sum: 'Total',
                count: 'Number',
              }[s.stat];
        return i ? name.toLowerCase() : name;
      });
      const stat = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0];
      const over = f.filters.length ? rows : `all ${rows}`;
      if (f.per) {
        // "Median of Number of encounters per patient (over patients with encounters)".
        const entity = noun(lexicon, f.per.entity);
        const what = f.per.distinct
          ? `Number of distinct ${title(lexicon, f.per.distinct)} values of ${rows}`
          : f.value
            ? `${valueTitle(lexicon, f)} of ${rows}`
            : `Number of ${rows}`;
        return `${stat} of ${what} per ${singular(entity)} (over ${entity} with ${rows})${scope(lexicon, f)}`;
      }
      return `${stat} of ${valueTitle(lexicon, f)} over ${over}${scope(lexicon, f)}`;
    }
    case 'share': {
      const where = f.filters.length
        ? ` (of those where ${f.filters.map((c) => condition(lexicon, c)).join(' and ')})`
        : '';
      const whole = f.value ? `${title(lexicon, f.value)} of ${rows}` : rows;
      if (f.part)
        return `Share of ${whole} that is ${title(lexicon, f.part)} (sum over sum)${where}${among(lexicon, f)}${f.time ? `, ${f.time.label}` : ''}`;
      // A breakdown's groups, each a part of the whole ("Share of all encounters by Encounter Class").
      if (!f.condition)
        return `Share of all ${whole}${where}${among(lexicon, f)}${f.time ? `, ${f.time.label}` : ''}`;
      const which = f.value ? ` from ${rows} with` : ' with';
      return `Share of ${f.value ? title(lexicon, f.value) : rows}${which} ${condition(lexicon, f.condition)}${where}${among(lexicon, f)}${f.time ? `, ${f.time.label}` : ''}`;
    }
    case 'per_entity': {
      const entity = noun(lexicon, f.entity);
      const what = f.distinct
        ? `Number of distinct ${title(lexicon, f.distinct)} values of ${rows}`
        : f.value
          ? title(lexicon, f.value)
          : `Number of ${rows}`;
      const over = f.over === 'all' ? `all ${entity}, those with none too` : `${entity} with ${rows}`;
      return `Average ${what} per ${entity.replace(/s$/, '')} (over ${over})${scope(lexicon, f)}`;
    }
    case 'threshold': {
      const op = { gt: 'more than', gte: 'at least', lt: 'fewer than', lte: 'at most', eq: 'exactly' }[f.op];
      const and = f.and
        ? ` and ${{ gt: 'more than', gte: 'at least', lt: 'fewer than', lte: 'at most' }[f.and.op]} ${f.and.n}`
        : '';
      const lead = f.list ? '' : 'Number of ';
      const entity = noun(lexicon, f.entity);
      const who = f.list ? entity[0]?.toUpperCase() + entity.slice(1) : entity;
      if (f.value && f.agg) {
        const than = { gt: 'over', gte: 'at least', lt: 'under', lte: 'at most', eq: 'exactly' }[f.op];
        return `${lead}${who} whose ${f.agg === 'avg' ? 'average' : 'total'} ${title(lexicon, f.value)}${f.less ? ` minus ${title(lexicon, f.less)}` : ''} of ${rows} is ${than} ${f.n}${and}${scope(lexicon, f)}`;
      }
      // "Patients with at least 10 distinct Description values of conditions"; "Payers with more
      // than 20 distinct patients (through encounters)".
      const reached = f.distinct
        ? [...(lexicon.cubes.get(f.cube)?.keys ?? [])].find(([, k]) => k === f.distinct)?.[0]
        : undefined;
      // Kinds of the cube's own rows (by their label): "Description values of medications recorded
      // more than 100 times", "… with at least 20 distinct patients".
      if (lexicon.members.get(f.key)?.cube === f.entity && !f.value) {
        const what = `${title(lexicon, f.key)} values of ${entity}`;
        const head = f.list ? what : `number of ${what}`;
        return `${head[0]?.toUpperCase()}${head.slice(1)} ${reached ? `with ${op} ${f.n}${and} distinct ${noun(lexicon, reached)}` : `recorded ${op} ${f.n}${and} times`}${scope(lexicon, f)}`;
      }
      const counted = !f.distinct
        ? rows
        : reached
          ? `distinct ${noun(lexicon, reached)} (through ${rows})`
          : `distinct ${title(lexicon, f.distinct)} values of ${rows}`;
      return `${lead}${who} with ${op} ${f.n}${and} ${counted}${scope(lexicon, f)}`;
    }
    case 'cumulative': {
      const what = f.value
        ? `${title(lexicon, f.value)}${f.less ? ` minus ${title(lexicon, f.less)}` : ''}`
        : f.distinct && f.entity
          ? `distinct ${noun(lexicon, f.entity)} (each counted once, at their first of ${rows})`
          : rows;
      const where = f.filters.length
        ? ` where ${f.filters.map((c) => condition(lexicon, c)).join(' and ')}`
        : '';
      // Say where the adding up starts: the period's first day, or the first record when the
      // period is open at its start ("through 2019").
      if (!f.time || f.time.from.startsWith('1900-')) {
        const to = f.time ? ` through ${formatAtGrain(f.time.to, f.grain)}` : '';
        return `Running total of ${what} by ${f.grain}${where}, adding up from the first record${to}`;
      }
      return `Running total of ${what} by ${f.grain}${where}, ${f.time.label}, from ${startInWords(f.time.from.slice(0, 10), f.grain)}`;
    }
    case 'cohort': {
      if ('terms' in f) return describeCohort(f, lexicon);
      const entity = noun(lexicon, f.entity);
      const sideText = (x: typeof f.first) => {
        const conds = x.filters.map((c) => condition(lexicon, c));
        if (x.time) conds.push(x.time.label);
        return `${noun(lexicon, x.cube)}${conds.length ? ` (${conds.join(', ')})` : ''}`;
      };
      const lead = f.list ? entity[0]?.toUpperCase() + entity.slice(1) : `Number of ${entity}`;
      return `${lead} with ${sideText(f.first)} ${f.combine === 'and' ? 'and also' : 'but no'} ${sideText(f.second)}`;
    }
    case 'comparison': {
      if (f.groups) {
        const what = f.entity
          ? `Number of ${noun(lexicon, f.entity)} with ${rows}`
          : f.agg === 'count'
            ? `Number of ${rows}`
            : `${readableTitle(`${f.agg === 'avg' ? 'Average' : 'Total'} ${title(lexicon, f.value as string)}`)} of ${rows}`;
        const [a, b] = f.groups.map((g) => groupText(lexicon, g)) as [string, string];
        const [la, lb] = f.groups.map((g) => g.label) as [string, string];
        if (f.output === 'rows')
          return `${what}: ${a} vs ${b}${scope(lexicon, f)}${f.differences ? ', each with its difference from the other' : ''}`;
        return f.output === 'ratio'
          ? `Ratio of ${what}: ${a} to ${b}${scope(lexicon, f)}`
          : `${what}: ${a} vs ${b}${scope(lexicon, f)}, with the difference (${la} minus ${lb})`;
      }
      if (f.figures) {
        const [a, b] = f.figures.map((x) => figureText(lexicon, x)) as [string, string];
        return `${a} divided by ${b}`;
      }
      const what =
        f.agg === 'count'
          ? `Number of ${rows}`
          : readableTitle(`${f.agg === 'avg' ? 'Average' : 'Total'} ${title(lexicon, f.value as string)}`);
      if (f.difference)
        return `Difference in ${what}${scope(lexicon, f)}, ${f.periods[1].label} minus ${f.periods[0].label}`;
      if (f.rows)
        return `${what}${scope(lexicon, f)}: ${f.periods[0].label} vs ${f.periods[1].label}, one row each with the change`;
      return `Change in ${what}${scope(lexicon, f)}, ${f.periods[0].label} to ${f.periods[1].label}`;
    }
    case 'lookup':
      return `${f.attributes.map((a) => title(lexicon, a)).join(', ')} of the ${singular(rows)} with ${[
        ...f.filters.flatMap((c) =>
          c.op === 'in' ? [`${title(lexicon, c.member)} ${c.values.join(' or ')}`] : [],
        ),
        `${title(lexicon, f.key)} ${f.id}`,
      ].join(', ')}`;
  }
}

/**
 * What a semantic query computes, in words: "Encounters Count by Encounter Class, 2021, where
 * Payer Name is Medicare".
 */
export function describeQuery(q: FlatCubeQuery, lexicon: Lexicon, now: Date): string {
  // A measure's title that does not say whose rows it measures says it: "Average Base Cost of procedures".
  const measures = (q.measures ?? []).map((m) => {
    const t = title(lexicon, m);
    const entry = lexicon.members.get(m);
    const cube = entry && lexicon.cubes.get(entry.cube);
    if (!cube) return t;
    const said = new Set(contentStems(t));
    const named = cube.phrases.some((p) => p.stems.every((s) => said.has(s)));
    return named ? t : `${t} of ${cube.title.toLowerCase()}`;
  });
  // A cube's label stands for the cube ("by Payers", not "by Name"), unless it is the measure's own.
  const measured = lexicon.members.get(q.measures?.[0] ?? '')?.cube;
  const dims = (q.dimensions ?? []).map((d) => {
    const cube = lexicon.members.get(d)?.cube;
    const entry = cube ? lexicon.cubes.get(cube) : undefined;
    return entry && entry.label === d && cube !== measured ? entry.title : title(lexicon, d);
  });
  const parts: string[] = [];
  for (const td of q.timeDimensions ?? []) {
    // A date other than the measured rows' own is named: "by year of Deathdate", "Stop 2020".
    const own = lexicon.cubes.get(measured ?? '')?.timeDimension === td.dimension;
    const of = own ? '' : title(lexicon, td.dimension);
    if (td.granularity) dims.push(of ? `${td.granularity} of ${of}` : `${td.granularity}`);
    if (td.dateRange) {
      try {
        const label = timeFilter(
          td.dimension,
          td.dateRange as string | [string, string],
          now,
          lexicon.latestDate,
        ).label;
        parts.push(of ? `${of} ${label}` : label);
      } catch {
        parts.push(String(td.dateRange));
      }
    }
  }
  // Several figures asked together: "Visits Count and Average Charge".
  const listed =
    measures.length > 1 ? `${measures.slice(0, -1).join(', ')} and ${measures.at(-1)}` : measures.join('');
  const lead = measures.length ? listed : dims.splice(0).join(', ');
  let text = lead + (dims.length ? ` by ${dims.join(', ')}` : '');
  if (parts.length) text += `, ${parts.join(', ')}`;
  const filters = (q.filters ?? [])
    .filter((f) => f.operator !== 'set' || !(q.dimensions ?? []).includes(f.member))
    .map((f) => {
      const t = title(lexicon, f.member);
      const v = (f.values ?? []).join(' or ');
      switch (f.operator) {
        case 'equals':
          return `${t} is ${v}`;
        case 'notEquals':
          return `${t} is not ${v}`;
        case 'contains':
          return `${t} contains ${v}`;
        case 'set':
          return `${t} recorded`;
        case 'notSet':
          return `no ${t}`;
        default:
          return `${t} ${f.operator} ${v}`;
      }
    });
  for (const s of q.segments ?? []) filters.push(title(lexicon, s));
  if (filters.length) text += `, where ${filters.join(' and ')}`;
  if (q.limit && q.order?.length) {
    const [, dir] = q.order[0] as [string, string];
    text = `${dir === 'asc' ? 'Bottom' : 'Top'} ${q.limit}: ${text}`;
  }
  return text;
}
