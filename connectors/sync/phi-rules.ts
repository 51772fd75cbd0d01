import type { PhiTag } from '../../lakehouse/index.ts';
import type { StreamColumn } from '../sdk/types.ts';

/** A rule: columns whose lower-cased name matches `match` (a regular expression) get `phi`. */
export interface PhiRule {
  match: string;
  phi: PhiTag;
}

/**
 * Safe Harbor identifiers recognised by column name. Direct: identifies a person on its own
 * (names, SSN, contact details, record and account numbers). Quasi: identifies in combination
 * (dates about a person, small geography, demographics).
 */
export const DEFAULT_PHI_RULES: readonly PhiRule[] = [
  {
    match:
      '^(ssn|social_?security(_?number)?|(first|last|middle|given|family|full|maiden|patient)_?name|first|last|middle|maiden|name_(given|family|prefix|suffix)|e_?mail(_?address)?|(home_|mobile_|cell_|work_)?phone(_?number)?|telephone|fax(_?number)?|mrn|medical_?record(_?number)?|(street_?)?address[0-9]?|address_line_?[0-9]|street|drivers?(_?licen[cs]e(_?number)?)?|passport(_?number)?|member_?id|subscriber_?id|beneficiary_?id|account_?(number|no)|ip_?address|url|vin|device_?serial|udi)$',
    phi: 'direct',
  },
  {
    match:
      '^(birth_?date|birth_?day|dob|date_of_birth|death_?date|deceased_?date|date_of_death|zip(_?code)?|postal_?code|postcode|gender|sex|race|ethnicity|city|county|fips|age|lat|latitude|lon|lng|longitude|birthplace|marital(_?status)?|income)$',
    phi: 'quasi',
  },
];

/**
 * The PHI tag of each column: the workspace's rules first (they are the organisation's decision),
 * then what the connector knows, then the default rules, else `none`.
 *
 * @example tagColumns([{ name: 'ssn', type: 'VARCHAR' }], []) // => { ssn: 'direct' }
 */
export function tagColumns(
  columns: readonly StreamColumn[],
  configured: readonly PhiRule[],
  defaults: readonly PhiRule[] = DEFAULT_PHI_RULES,
): Record<string, PhiTag> {
  const compiled = (rules: readonly PhiRule[]) =>
    rules.map((r) => ({ re: new RegExp(r.match, 'i'), phi: r.phi }));
  const mine = compiled(configured);
  const base = compiled(defaults);
  const out: Record<string, PhiTag> = {};
  for (const c of columns) {
    const name = c.name.toLowerCase();
    out[c.name] =
      mine.find((r) => r.re.test(name))?.phi ?? c.phi ?? base.find((r) => r.re.test(name))?.phi ?? 'none';
  }
  return out;
}
