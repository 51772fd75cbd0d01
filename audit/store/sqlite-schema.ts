import { BODY_COLUMNS } from './types.ts';

const bodyColumns = Object.values(BODY_COLUMNS)
  .map((c) => `  ${c} BLOB`)
  .join(',\n');

/** The audit tables in SQLite. `seq` is the rowid: records are stored in chain order. */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  user_id TEXT,
  request_id TEXT,
  outcome TEXT NOT NULL,
  digests TEXT NOT NULL,
  entry TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
${bodyColumns}
);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time);
CREATE INDEX IF NOT EXISTS audit_records_user ON audit_records (user_id, seq);
CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type, seq);
CREATE INDEX IF NOT EXISTS audit_records_request ON audit_records (request_id);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  number INTEGER PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  time TEXT NOT NULL,
  payload TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  payload TEXT NOT NULL,
  signature TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** The SELECT list that `rowToRecord` reads, shared by every query. */
export const RECORD_COLUMNS = [
  'seq',
  'id',
  'time',
  'type',
  'user_id',
  'request_id',
  'outcome',
  'digests',
  'entry',
  'prev_hash',
  'hash',
  ...Object.values(BODY_COLUMNS),
].join(', ');
