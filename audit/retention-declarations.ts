import type { AuditEntry } from './record.ts';
import type { RecordRow } from './store/types.ts';

/** What retention runs declared (in the chain, before purging): the widest cut-offs so far. */
export interface RetentionDeclarations {
  /** Bodies of records older than this may be gone, per kind. */
  before: { bodies: string; queries: string };
  /** Records up to this seq may be gone (always a checkpoint's seq). */
  metadataThrough: number;
}

/** The facts a retention record carries in `details`. */
export type RetentionDetails = {
  legalHold: boolean;
  bodiesBefore?: string;
  queriesBefore?: string;
  metadataThrough?: number;
};

/**
 * Fold the retention records into the cut-offs verify accepts. A declaration only counts when its
 * own record verifies, which verify checks like any other record.
 */
export function readRetentionDeclarations(rows: readonly RecordRow[]): RetentionDeclarations {
  const out: RetentionDeclarations = { before: { bodies: '', queries: '' }, metadataThrough: 0 };
  for (const row of rows) {
    let details: Partial<RetentionDetails> | undefined;
    try {
      details = (JSON.parse(row.entry) as AuditEntry).details as Partial<RetentionDetails> | undefined;
    } catch {
      continue;
    }
    if (!details || details.legalHold) continue;
    if (typeof details.bodiesBefore === 'string' && details.bodiesBefore > out.before.bodies)
      out.before.bodies = details.bodiesBefore;
    if (typeof details.queriesBefore === 'string' && details.queriesBefore > out.before.queries)
      out.before.queries = details.queriesBefore;
    if (typeof details.metadataThrough === 'number' && details.metadataThrough > out.metadataThrough)
      out.metadataThrough = details.metadataThrough;
  }
  return out;
}
