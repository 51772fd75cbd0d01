import type { DoctorCheck, ObligationCheck } from '../types.ts';

/** Obligation 2: no-training and retention terms in writing for every model endpoint. */
export const checkTerms: ObligationCheck = async ({ config }) => {
  const check: DoctorCheck = {
    id: 2,
    ok: true,
    title: 'No-training and retention terms for every model endpoint',
    evidence: [],
    gaps: [],
  };
  const endpoints = Object.entries(config.llm.endpoints);
  if (!endpoints.length) check.evidence.push('No model endpoints: nothing is sent to a model.');
  for (const [name, ep] of endpoints) {
    const what = `Model endpoint ${name} (${ep.provider})`;
    if (ep.on_prem) {
      check.evidence.push(`${what}: on-prem; prompts stay in our own audit log under our retention.`);
      continue;
    }
    if (ep.training === 'none')
      check.evidence.push(`${what}: terms forbid training on our data (training: none).`);
    else if (ep.training === 'allowed')
      check.gaps.push(`${what}: its terms allow training on our prompts; choose a no-training agreement.`);
    else check.gaps.push(`${what}: no no-training term recorded (llm.endpoints.${name}.training: none).`);
    if (ep.retention === 'zero') check.evidence.push(`${what}: zero data retention.`);
    else if (ep.retention) check.evidence.push(`${what}: keeps prompts and responses ${ep.retention}.`);
    else
      check.gaps.push(
        `${what}: no retention term recorded (llm.endpoints.${name}.retention: zero or "<N> days").`,
      );
  }
  check.ok = check.gaps.length === 0;
  return check;
};
