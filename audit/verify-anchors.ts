import type { AnchorReading } from './anchors.ts';
import type { CheckpointPayload } from './chain.ts';
import type { SigningKey } from './signing-key.ts';
import type { CheckpointRow } from './store/types.ts';
import type { VerifyProblem } from './types.ts';

/** What the anchors outside the store say, for the verify report. */
export interface AnchorSummary {
  /** Anchor files found. */
  files: number;
  /** Anchored checkpoints whose signatures hold. */
  count: number;
  /** The seq the newest anchored checkpoint seals (0: nothing anchored yet). */
  anchoredThrough: number;
  /** Lines that do not parse (a write torn by a crash, or junk appended). */
  unreadable: number;
}

/**
 * Compare the store's checkpoints with the anchors written outside it. Every anchor must be
 * signed by this key and found in the store, byte for byte: a store that ends before its newest
 * anchor was rolled back (a file copied back, rows deleted and an old head restored), and
 * anchors under another key mean the log was re-signed.
 */
export function verifyAnchors(
  reading: AnchorReading,
  stored: readonly CheckpointRow[],
  key: SigningKey,
  report: (p: VerifyProblem) => void,
): AnchorSummary {
  const byNumber = new Map(stored.map((cp) => [cp.number, cp]));
  const lastStored = stored.reduce((m, cp) => Math.max(m, cp.number), 0);
  const foreign = new Map<string, { count: number; line: number }>();
  const reported = new Set<number>();
  let ahead: { p: CheckpointPayload; file: string } | null = null;
  let count = 0;
  let anchoredThrough = 0;

  for (const a of reading.entries) {
    if (!key.verify(a.payload, a.signature)) {
      const f = foreign.get(a.file) ?? { count: 0, line: a.line };
      f.count += 1;
      foreign.set(a.file, f);
      continue;
    }
    const p = JSON.parse(a.payload) as CheckpointPayload;
    count += 1;
    anchoredThrough = Math.max(anchoredThrough, p.seq);
    const cp = byNumber.get(p.number);
    if (!cp && p.number > lastStored) {
      if (!ahead || p.number > ahead.p.number) ahead = { p, file: a.file };
    } else if (!reported.has(p.number) && (!cp || cp.payload !== a.payload)) {
      reported.add(p.number);
      report({
        kind: 'anchor',
        seq: p.seq,
        checkpoint: p.number,
        message: cp
          ? `Checkpoint #${p.number} in the store differs from its anchor in ${a.file} (line ${a.line}): it was replaced.`
          : `Checkpoint #${p.number} (sealing seq ${p.seq}), anchored in ${a.file} (line ${a.line}), is missing from the store.`,
      });
    }
  }
  if (ahead)
    report({
      kind: 'anchor',
      seq: ahead.p.seq,
      checkpoint: ahead.p.number,
      message: `The audit store is behind its anchor: ${ahead.file} holds checkpoint #${ahead.p.number} (sealing seq ${ahead.p.seq}, ${ahead.p.time}) but the store ends at checkpoint #${lastStored}. The store was rolled back (restored from an earlier copy, or its newest rows deleted).`,
    });
  for (const [file, f] of foreign)
    report({
      kind: 'anchor',
      seq: null,
      message: `${f.count} anchor(s) in ${file} (first at line ${f.line}) are not signed by this workspace's audit key: the log was re-signed under another key, or someone else appended to the anchor file.`,
    });
  return { files: reading.files, count, anchoredThrough, unreadable: reading.unreadable };
}
