import type { BodyCipher } from './body-cipher.ts';
import { type AuditEntry, type AuditRecord, BODY_FIELDS, type BodyField } from './record.ts';
import type { RecordRow } from './store/types.ts';

/**
 * A stored row as an auditor reads it: the entry's metadata, each body decrypted (or, without a
 * cipher, left out), and the list of bodies retention has purged.
 */
export function decodeRecord(row: RecordRow, cipher: BodyCipher | null): AuditRecord {
  const { v: _v, digests, ...meta } = JSON.parse(row.entry) as AuditEntry;
  const record: AuditRecord = { ...meta, purged: [], hash: row.hash };
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
