import type { AppendReceipt } from './append-plan.ts';
import type { RetentionPolicy } from './config.ts';
import { type AuditRecordInput, BODY_FIELDS, BODY_KIND } from './record.ts';
import type { RetentionDetails } from './retention-declarations.ts';
import type { AuditStore } from './store/types.ts';

/** What a retention run did. */
export interface RetentionReport {
  legalHold: boolean;
  /** Bodies (prompt, response, result) of records before this time were purged. */
  bodiesBefore: string;
  /** Queries (question, semantic query, SQL) of records before this time were purged. */
  queriesBefore: string;
  /** Whole records before this time may go, up to the last checkpoint before it. */
  metadataBefore: string;
  bodiesPurged: number;
  queriesPurged: number;
  recordsDeleted: number;
  /** Records up to this seq are gone (0: none). */
  metadataThrough: number;
  /** The chained record of this run. */
  auditId: string;
}

const DAY = 86_400_000;

/**
 * Enforce retention per kind of data. The run is first declared in the chain (a `retention`
 * record stating the cut-offs), then carried out, so a crash in between leaves a log that still
 * verifies, and verify accepts a missing body or prefix only where a declaration covers it.
 * Bodies are blanked in place: their digests stay in the chained entry. Whole records go only up
 * to a checkpoint, whose signed hash then anchors the first remaining record. Under legal hold
 * nothing is purged (the run is still recorded).
 */
export async function runRetention(ctx: {
  store: AuditStore;
  now: Date;
  policy: RetentionPolicy;
  legalHold: boolean;
  append: (input: AuditRecordInput) => Promise<AppendReceipt>;
}): Promise<RetentionReport> {
  const t = ctx.now.getTime();
  const bodiesBefore = new Date(t - ctx.policy.bodiesDays * DAY).toISOString();
  const queriesBefore = new Date(t - ctx.policy.queriesDays * DAY).toISOString();
  const metadataBefore = new Date(t - ctx.policy.metadataDays * DAY).toISOString();
  const base = {
    bodiesBefore,
    queriesBefore,
    metadataBefore,
    bodiesPurged: 0,
    queriesPurged: 0,
    recordsDeleted: 0,
  };

  if (ctx.legalHold) {
    const details: RetentionDetails = { legalHold: true };
    const { id } = await ctx.append({ type: 'retention', outcome: 'ok', route: 'audit retention', details });
    return { ...base, legalHold: true, metadataThrough: 0, auditId: id };
  }

  const metadataThrough = await lastCheckpointBefore(ctx.store, metadataBefore);
  const details: RetentionDetails = { legalHold: false, bodiesBefore, queriesBefore, metadataThrough };
  const { id } = await ctx.append({ type: 'retention', outcome: 'ok', route: 'audit retention', details });

  const fields = (kind: 'bodies' | 'queries') => BODY_FIELDS.filter((f) => BODY_KIND[f] === kind);
  const bodiesPurged = await ctx.store.purgeBodies(fields('bodies'), bodiesBefore);
  const queriesPurged = await ctx.store.purgeBodies(fields('queries'), queriesBefore);
  const recordsDeleted = metadataThrough > 0 ? await ctx.store.deleteThrough(metadataThrough) : 0;
  return {
    ...base,
    legalHold: false,
    bodiesPurged,
    queriesPurged,
    recordsDeleted,
    metadataThrough,
    auditId: id,
  };
}

/** The seq of the last checkpoint that seals only records older than `before` (0: none). */
async function lastCheckpointBefore(store: AuditStore, before: string): Promise<number> {
  const firstKept = await store.firstSeqAtOrAfter(before);
  return store.snapshot(async (reader) => {
    const checkpoints = await reader.checkpoints();
    let through = 0;
    for (const cp of checkpoints)
      if (firstKept === null || cp.seq < firstKept) through = Math.max(through, cp.seq);
    return through;
  });
}
