import { resolve } from 'node:path';

/** The Synthea semantic model this package ships (`analyst init --synthea`, `analyst eval`). */
export const BUNDLED_SYNTHEA_MODEL = resolve(import.meta.dirname, 'models', 'synthea');
