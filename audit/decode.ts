import type { BodyCipher } from './body-cipher.ts';
import { parseDigests } from './chain.ts';
import { type AuditEntry, type AuditRecord, BODY_FIELDS, type BodyField } from './record.ts';
import type { RecordRow } from './store/types.ts';

/**
 * A stored row as an auditor reads it: the entry's metadata, each body decrypted (or, without a
 * cipher, left out), and the list of bodies retention has purged.
 */
export function decodeRecord(row: RecordRow, cipher: BodyCipher | null): AuditRecord {
  const { v: _v, ...meta } = JSON.parse(row.entry) as AuditEntry;
  const digests = parseDigests(row.digests);
  const record: AuditRecord = {
    ...meta,
    seq: row.seq,
    id: row.id,
    time: row.time,
    type: row.type as AuditRecord['type'],
    outcome: row.outcome as AuditRecord['outcome'],
    ...(row.userId !== null ? { userId: row.userId } : {}),
    ...(row.requestId !== null ? { requestId: row.requestId } : {}),
    purged: [],
    hash: row.hash,
  };
  for (const field of BODY_FIELDS) {
    if (!digests[field]) continue;
    const blob = row.bodies[field];
    if (!blob) {
      record.purged.push(field);
      continue;
    }
    if (cipher) setBody(record, field, JSON.parse(cipher.decrypt(blob, row.id, field)));
  }
  return record;
}

function setBody(record: AuditRecord, field: BodyField, value: unknown): void {
  (record as unknown as Record<string, unknown>)[field] = value;
}
