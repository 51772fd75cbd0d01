// The PostgreSQL frontend/backend protocol (version 3.0) as this server speaks it. The byte-level
// work (integers, C strings, length-prefixed strings, message headers with their lengths) is
// pg-protocol's, node-postgres's own reader and writer; this file only lists the fields of each
// message in the order the protocol documentation gives them.
import { BufferReader } from 'pg-protocol/dist/buffer-reader.js';
import { Writer } from 'pg-protocol/dist/buffer-writer.js';

/** Codes of the untyped first message of a connection. */
export const STARTUP = {
  protocol3: 196608,
  ssl: 80877103,
  gssenc: 80877104,
  cancel: 80877102,
} as const;

/** The first message of a connection, or a request that precedes it. */
export type StartupMessage =
  | { kind: 'startup'; parameters: Record<string, string> }
  | { kind: 'ssl' }
  | { kind: 'gssenc' }
  | { kind: 'cancel'; processId: number; secretKey: number }
  | { kind: 'unsupported'; code: number };

/** A message a client sends after startup. */
export type FrontendMessage =
  | { type: 'password'; password: string }
  | { type: 'query'; sql: string }
  | { type: 'parse'; name: string; sql: string; paramTypes: number[] }
  | {
      type: 'bind';
      portal: string;
      statement: string;
      paramFormats: number[];
      params: Array<Buffer | null>;
      resultFormats: number[];
    }
  | { type: 'describe'; target: 'S' | 'P'; name: string }
  | { type: 'execute'; portal: string; maxRows: number }
  | { type: 'close'; target: 'S' | 'P'; name: string }
  | { type: 'sync' }
  | { type: 'flush' }
  | { type: 'terminate' }
  | { type: 'copy' }
  | { type: 'unknown'; code: string };

/** Length of the next complete message in `buf` at `offset` (with or without a type byte), or 0. */
export function completeLength(buf: Buffer, offset: number, typed: boolean): number {
  const head = typed ? 1 : 0;
  if (buf.length - offset < head + 4) return 0;
  const len = buf.readInt32BE(offset + head);
  if (len < 4) return -1;
  return buf.length - offset >= head + len ? head + len : 0;
}

/** Decode the untyped first message (length included). */
export function decodeStartup(msg: Buffer): StartupMessage {
  const r = new BufferReader();
  r.setBuffer(4, msg);
  const code = r.int32();
  if (code === STARTUP.ssl) return { kind: 'ssl' };
  if (code === STARTUP.gssenc) return { kind: 'gssenc' };
  if (code === STARTUP.cancel) return { kind: 'cancel', processId: r.int32(), secretKey: r.int32() };
  if (code !== STARTUP.protocol3) return { kind: 'unsupported', code };
  const parameters: Record<string, string> = {};
  while (true) {
    const key = r.cstring();
    if (key === '') break;
    parameters[key] = r.cstring();
  }
  return { kind: 'startup', parameters };
}

/** Decode one typed message (type byte and length included). */
export function decodeFrontend(msg: Buffer): FrontendMessage {
  const r = new BufferReader();
  r.setBuffer(5, msg);
  const code = String.fromCharCode(msg[0] ?? 0);
  switch (code) {
    case 'p':
      return { type: 'password', password: r.cstring() };
    case 'Q':
      return { type: 'query', sql: r.cstring() };
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.int16();
      const paramTypes: number[] = [];
      for (let i = 0; i < n; i++) paramTypes.push(r.uint32());
      return { type: 'parse', name, sql, paramTypes };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats: number[] = [];
      for (let i = 0, n = r.int16(); i < n; i++) paramFormats.push(r.int16());
      const params: Array<Buffer | null> = [];
      for (let i = 0, n = r.int16(); i < n; i++) {
        const len = r.int32();
        params.push(len < 0 ? null : r.bytes(len));
      }
      const resultFormats: number[] = [];
      for (let i = 0, n = r.int16(); i < n; i++) resultFormats.push(r.int16());
      return { type: 'bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 'D':
      return { type: 'describe', target: r.string(1) === 'S' ? 'S' : 'P', name: r.cstring() };
    case 'E':
      return { type: 'execute', portal: r.cstring(), maxRows: r.int32() };
    case 'C':
      return { type: 'close', target: r.string(1) === 'S' ? 'S' : 'P', name: r.cstring() };
    case 'S':
      return { type: 'sync' };
    case 'H':
      return { type: 'flush' };
    case 'X':
      return { type: 'terminate' };
    case 'd':
    case 'c':
    case 'f':
      return { type: 'copy' };
    default:
      return { type: 'unknown', code };
  }
}

/** A column of a row description. */
export interface FieldDescription {
  name: string;
  typeOid: number;
  typeSize: number;
  typeModifier?: number;
}

/** Fields of an ErrorResponse or NoticeResponse. */
export interface ErrorFields {
  severity: 'ERROR' | 'FATAL' | 'NOTICE' | 'WARNING';
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

/** Encoders for every message this server sends; each returns one whole message. */
export class BackendWriter {
  readonly #w = new Writer();

  sslAnswer(accept: boolean): Buffer {
    return Buffer.from(accept ? 'S' : 'N');
  }
  authenticationCleartextPassword(): Buffer {
    return this.#w.addInt32(3).flush(0x52);
  }
  authenticationOk(): Buffer {
    return this.#w.addInt32(0).flush(0x52);
  }
  parameterStatus(name: string, value: string): Buffer {
    return this.#w.addCString(name).addCString(value).flush(0x53);
  }
  backendKeyData(processId: number, secretKey: number): Buffer {
    return this.#w.addInt32(processId).addInt32(secretKey).flush(0x4b);
  }
  readyForQuery(status: 'I' | 'T' | 'E'): Buffer {
    return this.#w.addString(status).flush(0x5a);
  }
  rowDescription(fields: readonly FieldDescription[]): Buffer {
    this.#w.addInt16(fields.length);
    for (const f of fields) {
      this.#w
        .addCString(f.name)
        .addInt32(0)
        .addInt16(0)
        .addInt32(f.typeOid)
        .addInt16(f.typeSize)
        .addInt32(f.typeModifier ?? -1)
        .addInt16(0);
    }
    return this.#w.flush(0x54);
  }
  /** One row in text format; `null` is SQL NULL. */
  dataRow(values: ReadonlyArray<string | null>): Buffer {
    this.#w.addInt16(values.length);
    for (const v of values) {
      if (v === null) this.#w.addInt32(-1);
      else this.#w.addInt32PrefixedString(v);
    }
    return this.#w.flush(0x44);
  }
  commandComplete(tag: string): Buffer {
    return this.#w.addCString(tag).flush(0x43);
  }
  emptyQueryResponse(): Buffer {
    return this.#w.flush(0x49);
  }
  parseComplete(): Buffer {
    return this.#w.flush(0x31);
  }
  bindComplete(): Buffer {
    return this.#w.flush(0x32);
  }
  closeComplete(): Buffer {
    return this.#w.flush(0x33);
  }
  noData(): Buffer {
    return this.#w.flush(0x6e);
  }
  portalSuspended(): Buffer {
    return this.#w.flush(0x73);
  }
  parameterDescription(oids: readonly number[]): Buffer {
    this.#w.addInt16(oids.length);
    for (const oid of oids) this.#w.addInt32(oid);
    return this.#w.flush(0x74);
  }
  error(fields: ErrorFields): Buffer {
    return this.#fields(fields).flush(0x45);
  }
  notice(fields: ErrorFields): Buffer {
    return this.#fields(fields).flush(0x4e);
  }
  #fields(f: ErrorFields): Writer {
    const w = this.#w;
    w.addString('S').addCString(f.severity);
    w.addString('V').addCString(f.severity);
    w.addString('C').addCString(f.code);
    w.addString('M').addCString(f.message);
    if (f.detail !== undefined) w.addString('D').addCString(f.detail);
    if (f.hint !== undefined) w.addString('H').addCString(f.hint);
    return w.addCString('');
  }
}
