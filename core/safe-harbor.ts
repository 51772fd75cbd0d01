/**
 * 3-digit ZIP areas with 20,000 people or fewer (HHS Safe Harbor guidance, 2000 Census): under
 * 45 CFR 164.514(b)(2) their ZIP prefix must be shown as 000. One list for every place that masks
 * ZIPs (the semantic layer's masks and the PHI boundary).
 */
export const RESTRICTED_ZIP3: readonly string[] = [
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
];
