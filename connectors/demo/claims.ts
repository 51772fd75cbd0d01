import { money, isoSecond as ts } from './format.ts';
import type { Payer, Provider } from './reference-data.ts';
import type { PatientEnv } from './types.ts';

/** One encounter's claim, as `writeClaim` needs it. */
export interface ClaimInput {
  encId: string;
  patient: string;
  provider: Provider;
  payer: Payer;
  at: number;
  /** `at` as the export writes it (the caller has it already). */
  atText: string;
  stop: number;
  total: number;
  covered: number;
  reason: readonly [string, string] | undefined;
  inpatient: boolean;
}

/** What each transaction row of one claim repeats. */
interface ClaimRows {
  env: PatientEnv;
  c: ClaimInput;
  claimId: string;
  at: string;
  stop: string;
  dept: number;
}

function transaction(
  claim: ClaimRows,
  type: string,
  amount: number,
  method: string | null,
  payments: number,
  transfers: number,
): void {
  const { env, c, claimId, at, stop, dept } = claim;
  env.w.claims_transactions.row([
    env.rng.uuid(),
    claimId,
    1,
    c.patient,
    type,
    money(amount),
    method,
    at,
    stop,
    c.provider.org.id,
    c.reason?.[0] ?? '185349003',
    null,
    null,
    1,
    null,
    null,
    null,
    1,
    dept,
    null,
    money(amount),
    null,
    null,
    money(payments),
    '0.00',
    money(transfers),
    '0.00',
    c.encId,
    null,
    c.payer.share > 0 ? c.payer.id : null,
    1,
    c.provider.id,
    c.provider.id,
  ]);
}

/** One claim per encounter, with its charge and the payer's and the patient's payments. */
export function writeClaim(env: PatientEnv, c: ClaimInput): void {
  const { rng, w } = env;
  const claimId = rng.uuid();
  const dept = c.inpatient ? 2 : 1;
  const outstanding = 0;
  const at = c.atText;
  const stop = ts(c.stop);
  w.claims.row([
    claimId,
    c.patient,
    c.provider.id,
    c.payer.share > 0 ? c.payer.id : null,
    null,
    dept,
    dept,
    c.reason?.[0],
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    c.provider.id,
    c.encId,
    at,
    at,
    c.provider.id,
    c.payer.share > 0 ? 'CLOSED' : null,
    null,
    'CLOSED',
    c.payer.share > 0 ? 0 : null,
    null,
    outstanding,
    c.payer.share > 0 ? at : null,
    null,
    at,
    c.inpatient ? 2 : 1,
    null,
  ]);
  const claim: ClaimRows = { env, c, claimId, at, stop, dept };
  transaction(claim, 'CHARGE', c.total, null, 0, 0);
  if (c.covered > 0) transaction(claim, 'PAYMENT', c.covered, 'ECHECK', c.covered, 0);
  if (c.total - c.covered > 0.005)
    transaction(
      claim,
      'PAYMENT',
      c.total - c.covered,
      rng.pick(['CASH', 'CC', 'CHECK']),
      c.total - c.covered,
      0,
    );
}
