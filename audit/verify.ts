import type { AnchorReading } from './anchors.ts';
import { bodyDigest, GENESIS_HASH, type HeadPayload, parseDigests, recordHash } from './chain.ts';
import { type AuditEntry, BODY_FIELDS, BODY_KIND } from './record.ts';
import { type RetentionDeclarations, readRetentionDeclarations } from './retention-declarations.ts';
import type { SigningKey } from './signing-key.ts';
import type { RecordRow, SnapshotReader } from './store/types.ts';
import type { VerifyProblem } from './types.ts';
import { type AnchorSummary, verifyAnchors } from './verify-anchors.ts';
import { type CheckpointIndex, verifyCheckpoints } from './verify-checkpoints.ts';

/** The outcome of `AuditLog.verify()`. `ok` only when the chain, every seal and every body check out. */
export interface VerifyReport {
  ok: boolean;
  records: number;
  checkpoints: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** The head's seq: everything up to it was written by a holder of the signing key. */
  sealedThrough: number;
  /** The last checkpoint's seq. */
  checkpointedThrough: number;
  /** The fingerprint of the key the log was verified with (what audit.signing_key_fingerprint pins). */
  signingKey: string;
  /** The anchors outside the store; `anchoredThrough` is the newest anchored checkpoint's seq. */
  anchors: AnchorSummary;
  /** Problems in chain order; the first one is the spot to investigate. At most 100 are listed. */
  problems: VerifyProblem[];
  problemCount: number;
  firstProblem: VerifyProblem | null;
  verifiedAt: string;
  durationMs: number;
}

const MAX_LISTED = 100;
/** At one seq, the finding that explains the others comes first. */
const SEVERITY: VerifyProblem['kind'][] = [
  'unsealed',
  'reordered',
  'missing',
  'modified',
  'checkpoint',
  'head',
  'anchor',
];
const BATCH = 1000;

const NO_ANCHORS: AnchorReading = { entries: [], files: 0, unreadable: 0 };

/**
 * Recompute the whole chain from one consistent snapshot: every record's hash over its canonical
 * entry and the previous hash, its indexed columns against the entry, its body ciphertexts
 * against their digests, the signed checkpoints and head, and the store against the anchors
 * written outside it (read before the snapshot was taken). Needs only the public key.
 */
export async function verifyChain(
  reader: SnapshotReader,
  key: SigningKey,
  now: Date,
  anchorReading: AnchorReading = NO_ANCHORS,
): Promise<VerifyReport> {
  const started = performance.now();
  const problems: VerifyProblem[] = [];
  const report = (p: VerifyProblem) => problems.push(p);
  const checkpointRows = await reader.checkpoints();
  const checkpoints = await verifyCheckpoints(checkpointRows, key, report);
  const anchors = verifyAnchors(anchorReading, checkpointRows, key, report);
  const declared = readRetentionDeclarations(await reader.recordsOfType('retention'));
  const headRow = await reader.head();

  let prev: RecordRow | null = null;
  let count = 0;
  let firstSeq: number | null = null;
  for (let batch = await reader.records(0, BATCH); batch.length; ) {
    for (const r of batch) {
      if (prev === null) {
        firstSeq = r.seq;
        checkStart(r, checkpoints, declared, report);
      } else if (r.seq !== prev.seq + 1) {
        report(missing(prev.seq + 1, r.seq - 1, 'deleted from the chain'));
      } else if (r.prevHash !== prev.hash) {
        report(await brokenLink(r, prev, reader));
      }
      checkRecord(r, checkpoints, declared, report);
      prev = r;
      count += 1;
    }
    const last = batch[batch.length - 1] as RecordRow;
    batch = batch.length < BATCH ? [] : await reader.records(last.seq, BATCH);
  }

  const lastSeq = prev?.seq ?? null;
  const head = checkHead(headRow, prev, key, report);
  for (const cp of checkpoints.bySeq.values()) {
    if (cp.seq > (lastSeq ?? 0) && cp.seq > (head?.seq ?? 0))
      report({
        kind: 'missing',
        seq: cp.seq,
        checkpoint: cp.number,
        message: `Checkpoint #${cp.number} seals seq ${cp.seq}, but the chain ends at ${lastSeq ?? 0}: the tail was truncated.`,
      });
  }
  problems.sort(
    (a, b) =>
      (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) ||
      SEVERITY.indexOf(a.kind) - SEVERITY.indexOf(b.kind),
  );
  return {
    ok: problems.length === 0,
    records: count,
    checkpoints: checkpoints.count,
    firstSeq,
    lastSeq,
    sealedThrough: head?.seq ?? 0,
    checkpointedThrough: checkpoints.lastSeq,
    signingKey: key.fingerprint,
    anchors,
    problems: problems.slice(0, MAX_LISTED),
    problemCount: problems.length,
    firstProblem: problems[0] ?? null,
    verifiedAt: now.toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The first record follows the genesis hash, or a retention purge anchored by a checkpoint. */
function checkStart(
  r: RecordRow,
  checkpoints: CheckpointIndex,
  declared: RetentionDeclarations,
  report: (p: VerifyProblem) => void,
): void {
  if (r.seq === 1) {
    if (r.prevHash !== GENESIS_HASH)
      report({
        kind: 'modified',
        seq: 1,
        id: r.id,
        message: 'Record 1 does not start from the genesis hash.',
      });
    return;
  }
  const anchor = checkpoints.bySeq.get(r.seq - 1);
  if (r.seq - 1 <= declared.metadataThrough && anchor && anchor.hash === r.prevHash) return;
  report(missing(1, r.seq - 1, 'no retention run or checkpoint accounts for them'));
}

function checkRecord(
  r: RecordRow,
  checkpoints: CheckpointIndex,
  declared: RetentionDeclarations,
  report: (p: VerifyProblem) => void,
): void {
  // The happy path parses nothing: the stored columns are hashed exactly as they are.
  if (recordHash(r.prevHash, r) !== r.hash) {
    report(alteredOrMoved(r));
    return;
  }
  const sealed = checkpoints.bySeq.get(r.seq);
  if (sealed && sealed.hash !== r.hash) {
    report({
      kind: 'modified',
      seq: r.seq,
      id: r.id,
      checkpoint: sealed.number,
      message: `Record ${r.seq} differs from what checkpoint #${sealed.number} sealed: it was rewritten.`,
    });
  }
  const digests = r.digests ? parseDigests(r.digests) : {};
  for (const field of BODY_FIELDS) {
    const digest = digests[field];
    const blob = r.bodies[field];
    if (blob && digest !== bodyDigest(blob)) {
      report({
        kind: 'modified',
        seq: r.seq,
        id: r.id,
        message: `The ${field} of record ${r.seq} was modified (its ciphertext does not match the chained digest).`,
      });
    } else if (!blob && digest && r.time >= declared.before[BODY_KIND[field]]) {
      report({
        kind: 'missing',
        seq: r.seq,
        id: r.id,
        message: `The ${field} of record ${r.seq} is gone, but no retention run covered it.`,
      });
    }
  }
}

/** A record whose hash fails: moved from another place in the chain, or changed. */
function alteredOrMoved(r: RecordRow): VerifyProblem {
  let writtenAs: number | undefined;
  try {
    writtenAs = (JSON.parse(r.entry) as Partial<AuditEntry>).seq;
  } catch {
    writtenAs = undefined;
  }
  if (
    writtenAs !== undefined &&
    writtenAs !== r.seq &&
    recordHash(r.prevHash, { ...r, seq: writtenAs }) === r.hash
  ) {
    return {
      kind: 'reordered',
      seq: r.seq,
      id: r.id,
      message: `Record ${r.id} was written as seq ${writtenAs} but sits at seq ${r.seq}: records were reordered.`,
    };
  }
  return {
    kind: 'modified',
    seq: r.seq,
    id: r.id,
    message: `Record ${r.seq} (${r.id}) was modified: its content no longer matches its hash.`,
  };
}

/** Both records verify on their own but do not link: find where the later one used to follow. */
async function brokenLink(r: RecordRow, prev: RecordRow, reader: SnapshotReader) {
  const was = await reader.seqOfHash(r.prevHash);
  if (was !== null && was !== prev.seq) {
    return {
      kind: 'reordered' as const,
      seq: r.seq,
      id: r.id,
      message: `Record ${r.seq} was chained after seq ${was}, not ${prev.seq}: records were reordered.`,
    };
  }
  return {
    kind: 'modified' as const,
    seq: prev.seq,
    id: prev.id,
    message: `Record ${r.seq} does not link to record ${prev.seq}: record ${prev.seq} was replaced (re-hashed), or records between them were removed.`,
  };
}

function checkHead(
  headRow: { payload: string; signature: string } | null,
  last: RecordRow | null,
  key: SigningKey,
  report: (p: VerifyProblem) => void,
): HeadPayload | null {
  if (!headRow) {
    if (last)
      report({ kind: 'unsealed', seq: 1, message: 'The chain has no signed head: no record is sealed.' });
    return null;
  }
  if (!key.verify(headRow.payload, headRow.signature)) {
    report({
      kind: 'head',
      seq: last?.seq ?? null,
      message: 'The chain head is not signed by this workspace audit key.',
    });
    return null;
  }
  const head = JSON.parse(headRow.payload) as HeadPayload;
  const lastSeq = last?.seq ?? 0;
  if (head.seq > lastSeq) report(missing(lastSeq + 1, head.seq, 'the tail was truncated'));
  else if (head.seq < lastSeq)
    report({
      kind: 'unsealed',
      seq: head.seq + 1,
      message: `Records ${head.seq + 1}–${lastSeq} are past the signed head: they were not written by this audit log.`,
    });
  else if (last && head.hash !== last.hash)
    report({
      kind: 'modified',
      seq: lastSeq,
      id: last.id,
      message: `Record ${lastSeq} differs from the signed head: it was rewritten.`,
    });
  return head;
}

function missing(from: number, to: number, reason: string): VerifyProblem {
  const which = from === to ? `Record ${from} is` : `Records ${from}–${to} are`;
  return { kind: 'missing', seq: from, message: `${which} missing (${reason}).` };
}
