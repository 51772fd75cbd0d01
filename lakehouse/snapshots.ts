import type { QueryResult } from './result.ts';

/** A DuckLake snapshot: one committed write. */
export interface SnapshotInfo {
  id: number;
  time: string;
  author: string | null;
  message: string | null;
  changes: unknown;
}

/** Read a table as of a snapshot id or a point in time. */
export type TimeTravel = { snapshot: number } | { timestamp: Date | string };

/** The `AT (…)` clause for a time-travel read; values are validated, never raw text. */
export function timeTravelClause(at: TimeTravel): string {
  if ('snapshot' in at) {
    if (!Number.isSafeInteger(at.snapshot) || at.snapshot < 0)
      throw new Error('snapshot id must be a whole number');
    return `AT (VERSION => ${at.snapshot})`;
  }
  const d = at.timestamp instanceof Date ? at.timestamp : new Date(at.timestamp);
  if (Number.isNaN(d.getTime())) throw new Error('timestamp is not a valid date');
  return `AT (TIMESTAMP => TIMESTAMPTZ '${d.toISOString()}')`;
}

export async function listSnapshots(query: (sql: string) => Promise<QueryResult>): Promise<SnapshotInfo[]> {
  const r = await query(
    `SELECT snapshot_id, strftime(timezone('UTC', snapshot_time), '%Y-%m-%dT%H:%M:%S.%fZ'), author, commit_message, to_json(changes)
     FROM lake.snapshots() ORDER BY snapshot_id`,
  );
  return r.rows.map(([id, time, author, message, changes]) => ({
    id: Number(id),
    time: String(time),
    author: (author as string | null) ?? null,
    message: (message as string | null) ?? null,
    changes: typeof changes === 'string' ? JSON.parse(changes) : changes,
  }));
}
