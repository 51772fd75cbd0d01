import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLED_SYNTHEA_MODEL } from '../bundled.ts';
import type { SecurityContext } from '../security-context.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shared, read-only Synthea CSV fixture (110 patients), beside the repository. */
export const SYNTHEA_CSV_DIR = resolve(repoRoot, '..', 'shared', 'fixtures', 'synthea');

/** The bundled Synthea model. */
export const SYNTHEA_MODEL_DIR = BUNDLED_SYNTHEA_MODEL;

/** A security context for a role, for tests and benchmarks. */
export function contextFor(role: string, attributes: Record<string, unknown> = {}): SecurityContext {
  return { userId: `test-${role}`, roles: [role], attributes };
}
