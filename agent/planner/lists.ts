import { canReach, type PlannerCatalog } from './catalog.ts';
import { mentionedDimensions } from './members.ts';
import type { FlatCubeQuery } from './query.ts';
import type { TimeIntent } from './time.ts';
import { claim, type Token } from './tokens.ts';

/** Safe Harbor identifier kinds → the member names that hold them. */
const IDENTIFIER_MEMBERS: Record<string, string[]> = {
  ssn: ['ssn'],
  name: ['first', 'last'],
  address: ['address'],
  birthdate: ['birthdate'],
  zip: ['zip'],
  phone: ['phone'],
  email: ['email'],
  passport: ['passport'],
  licence: ['drivers', 'licence', 'license'],
  mrn: ['mrn', 'medical_record_number'],
};
const IDENTIFIER_LABEL: Record<string, string> = {
  ssn: 'social security numbers',
  name: 'names',
  address: 'addresses',
  birthdate: 'birth dates',
  zip: 'ZIP codes',
  phone: 'phone numbers',
  email: 'email addresses',
  passport: 'passport numbers',
  licence: 'licence numbers',
  mrn: 'medical record numbers',
};
const IDENTIFIER_STEMS = new Set([
  'ssn',
  'social',
  'security',
  'name',
  'first',
  'last',
  'address',
  'birth',
  'birthdate',
  'dob',
  'birthday',
  'zip',
  'zipcode',
  'postal',
  'phone',
  'telephone',
  'email',
  'passport',
  'driver',
  'drivers',
  'licence',
  'license',
  'mrn',
]);

/**
 * The identifier members a question asks for, among those the caller can see: in the cubes it
 * names, else anywhere. `missing` lists the kinds the caller cannot see (the answer is then no).
 */
export function identifierDimensions(
  kinds: readonly string[],
  named: ReadonlyMap<string, number[]>,
  catalog: PlannerCatalog,
): { dimensions: string[]; missing: string[] } {
  const dimensions: string[] = [];
  const missing: string[] = [];
  const scope = named.size ? [...named.keys()] : catalog.cubes.map((c) => c.name);
  for (const kind of kinds) {
    const found = scope
      .flatMap((cube) => (IDENTIFIER_MEMBERS[kind] ?? []).map((l) => `${cube}.${l}`))
      .filter((m) => {
        const info = catalog.members.get(m);
        // A masked identifier is no answer: the caller would get placeholders, so say no instead.
        return (info?.phi === 'direct' || info?.phi === 'quasi') && !info.masked;
      });
    if (found.length) dimensions.push(...found);
    else missing.push(IDENTIFIER_LABEL[kind] ?? kind);
  }
  return { dimensions, missing };
}

/** Claim the words that ask for identifiers, so they never match stored values. Returns their indexes. */
export function claimIdentifiers(tokens: Token[]): number[] {
  const at = tokens.flatMap((t, i) =>
    IDENTIFIER_STEMS.has(t.stem) || (t.stem === 'code' && /^(zip|postal)$/.test(tokens[i - 1]?.stem ?? ''))
      ? [i]
      : [],
  );
  // "last" and "first" are identifier words only beside "name".
  const real = at.filter((i) => {
    const s = tokens[i]?.stem;
    if (s !== 'first' && s !== 'last') return true;
    return /^(name|and)$/.test(tokens[i + 1]?.stem ?? '');
  });
  claim(tokens, real);
  return real;
}

/**
 * A list ("which patients have diabetes", "list the payers", "what kinds of care plans"): the
 * subject's label and key (or the dimensions named), grouped so each row is one record or value.
 * Direct identifiers appear only when asked for (minimum necessary).
 */
export function listQuery(args: {
  tokens: Token[];
  catalog: PlannerCatalog;
  named: ReadonlyMap<string, number[]>;
  filters: NonNullable<FlatCubeQuery['filters']>;
  segments: string[];
  identifiers: string[];
  time: TimeIntent;
  kinds: boolean;
}): FlatCubeQuery | undefined {
  const { tokens, catalog, named, identifiers } = args;
  const byPosition = [...named.entries()].sort((a, b) => (a[1][0] ?? 0) - (b[1][0] ?? 0)).map(([c]) => c);
  const subject = byPosition[0] ?? identifiers[0]?.split('.')[0];
  const preferred = new Set(byPosition);
  const filters = [...args.filters];
  const mentioned = mentionedDimensions(tokens, catalog, subject, preferred);
  const columns: string[] = [];
  for (const d of mentioned) {
    const info = catalog.members.get(d.member);
    if (!info || d.covered.some((i) => tokens[i]?.used)) continue;
    if (info.type === 'boolean') filters.push({ member: d.member, operator: 'equals', values: ['true'] });
    else if (info.phi !== 'direct' && !columns.includes(d.member)) columns.push(d.member);
    claim(tokens, d.covered);
  }
  const asked = identifiers.filter((m) => !subject || canReach(catalog, subject, m.split('.')[0] as string));
  if (!subject && !columns.length && !asked.length) return undefined;
  if (!columns.length && subject) {
    // Records: the subject's key (unless only the kinds are wanted), its label, and identifiers asked for.
    const key = catalog.cubes
      .find((c) => c.name === subject)
      ?.dimensions.find((d) => d.primaryKey && (d.meta?.phi as string | undefined) !== 'direct');
    const label = catalog.label.get(subject);
    if (key && !args.kinds) columns.push(key.name);
    if (label && (!asked.length || args.kinds)) columns.push(label);
  }
  columns.push(...asked);
  if (!columns.length) return undefined;
  const query: FlatCubeQuery = { dimensions: [...new Set(columns)], limit: 1000 };
  if (filters.length) query.filters = filters;
  if (args.segments.length) query.segments = args.segments;
  if (args.time.dateRange) {
    // Records are listed by when their events happened: a filter's cube (encounters) before the subject's own dates (birth).
    const cubes = [
      ...filters.map((f) => f.member.split('.')[0] as string),
      ...args.segments.map((m) => m.split('.')[0] as string),
      ...(subject ? [subject] : []),
    ];
    const dimension = cubes.map((c) => catalog.timeDimension.get(c)).find(Boolean);
    if (dimension) query.timeDimensions = [{ dimension, dateRange: args.time.dateRange }];
  }
  return query;
}
