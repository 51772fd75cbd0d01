import { BODY_FIELDS, type BodyField } from '../record.ts';
import { BODY_COLUMNS, type CheckpointRow, type RecordRow } from './types.ts';

/** A database row (either store) into a RecordRow. */
export function rowToRecord(row: Record<string, unknown>): RecordRow {
  const bodies = {} as Record<BodyField, Uint8Array | null>;
  for (const f of BODY_FIELDS) bodies[f] = (row[BODY_COLUMNS[f]] as Uint8Array | null | undefined) ?? null;
  return {
    seq: Number(row.seq),
    id: String(row.id),
    time: String(row.time),
    type: String(row.type),
    userId: (row.user_id as string | null) ?? null,
    requestId: (row.request_id as string | null) ?? null,
    outcome: String(row.outcome),
    digests: String(row.digests ?? ''),
    entry: String(row.entry),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
    bodies,
  };
}

/** A row read in raw mode (values in `RECORD_COLUMNS` order): no object per row to build and collect. */
export function arrayToRecord(v: unknown[]): RecordRow {
  const bodies = {} as Record<BodyField, Uint8Array | null>;
  BODY_FIELDS.forEach((f, i) => {
    bodies[f] = (v[11 + i] as Uint8Array | null) ?? null;
  });
  return {
    seq: Number(v[0]),
    id: v[1] as string,
    time: v[2] as string,
    type: v[3] as string,
    userId: (v[4] as string | null) ?? null,
    requestId: (v[5] as string | null) ?? null,
    outcome: v[6] as string,
    digests: v[7] as string,
    entry: v[8] as string,
    prevHash: v[9] as string,
    hash: v[10] as string,
    bodies,
  };
}

/** A database row into a CheckpointRow. */
export function rowToCheckpoint(row: Record<string, unknown>): CheckpointRow {
  return {
    number: Number(row.number),
    seq: Number(row.seq),
    hash: String(row.hash),
    time: String(row.time),
    payload: String(row.payload),
    signature: String(row.signature),
  };
}

/** A RecordRow as positional insert values, in `RECORD_COLUMNS` order. */
export function recordValues(r: RecordRow): unknown[] {
  return [
    r.seq,
    r.id,
    r.time,
    r.type,
    r.userId,
    r.requestId,
    r.outcome,
    r.digests,
    r.entry,
    r.prevHash,
    r.hash,
    ...BODY_FIELDS.map((f) => {
      const b = r.bodies[f];
      return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null;
    }),
  ];
}
