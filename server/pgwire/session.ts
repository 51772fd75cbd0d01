// One client connection: startup (SSLRequest, StartupMessage, CancelRequest), cleartext-password
// authentication against the HTTP API's authenticator, then the simple and extended query
// protocols. Messages are handled strictly in order, one at a time.
import { randomInt, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { type SecureContext, TLSSocket } from 'node:tls';
import { isAnalystError } from '../../core/index.ts';
import type { Identity } from '../auth/identity.ts';
import { errorFieldsOf, WireError } from './errors.ts';
import {
  BackendWriter,
  completeLength,
  decodeFrontend,
  decodeStartup,
  type ErrorFields,
  type FrontendMessage,
} from './protocol.ts';
import type { SqlWireContext } from './services.ts';
import { bindPlaceholders, placeholderCount, splitStatements } from './sql-text.ts';
import { REPORTED, type StatementResult, StatementRunner } from './statements.ts';
import { binaryParamText, fieldsOf, OID, textValue } from './types.ts';

function codeFrames(err: unknown): string[] {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  return stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 3)
    .map((line) => line.trim().slice(3, 200));
}

/** The cancel keys of live sessions: a CancelRequest names a process id and secret. */
export interface CancelRegistry {
  register(session: WireSession): { processId: number; secretKey: number };
  unregister(processId: number): void;
  cancel(processId: number, secretKey: number): void;
}

interface Prepared {
  sql: string;
  paramTypes: number[];
}

interface Portal {
  sql: string;
  result?: StatementResult;
  sent: number;
}

const BATCH_BYTES = 64 * 1024;
const AUTH_TIMEOUT_MS = 60_000;

/** A client connection from its first byte to its last. */
export class WireSession {
  #socket: Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #chain: Promise<void> = Promise.resolve();
  #phase: 'startup' | 'auth' | 'ready' | 'closed' = 'startup';
  #encrypted = false;
  #params: Record<string, string> = {};
  #runner: StatementRunner | undefined;
  #statements = new Map<string, Prepared>();
  #portals = new Map<string, Portal>();
  #skipUntilSync = false;
  #running: AbortController | undefined;
  #processId = 0;
  readonly #out = new BackendWriter();
  readonly #connectionId = randomUUID();

  constructor(
    socket: Socket,
    private readonly ctx: SqlWireContext,
    private readonly cancels: CancelRegistry,
    private readonly tls: SecureContext | undefined,
    private readonly onClose: () => void,
    /** Answer the startup message with this error (the connection limit is reached). */
    private readonly refusal?: ErrorFields,
  ) {
    this.#socket = socket;
    socket.setNoDelay(true);
    this.#listen(socket);
    // A connection that has not signed in within a minute holds no more of the connection limit.
    setTimeout(() => {
      if (this.#phase === 'startup' || this.#phase === 'auth')
        this.#fatal({ severity: 'FATAL', code: '08006', message: 'authentication timed out' });
    }, AUTH_TIMEOUT_MS).unref();
    socket.setTimeout(ctx.options.idleTimeoutMs, () => {
      if (this.#running) return;
      this.#fatal({
        severity: 'FATAL',
        code: '57P05',
        message: 'terminating connection due to idle timeout',
      });
    });
  }

  /** Interrupt the statement running now, if any (a CancelRequest for this session). */
  cancel(): void {
    this.#running?.abort();
  }

  #listen(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
      this.#chain = this.#chain.then(() => this.#drain()).catch(() => this.#destroy());
    });
    socket.on('error', () => this.#destroy());
    socket.on('close', () => this.#destroy());
  }

  async #drain(): Promise<void> {
    while (this.#phase !== 'closed') {
      const typed = this.#phase !== 'startup';
      const len = completeLength(this.#buffer, 0, typed);
      if (len < 0)
        return this.#fatal({ severity: 'FATAL', code: '08P01', message: 'invalid message length' });
      if (len === 0) return;
      if (len > 256 * 1024 * 1024)
        return this.#fatal({ severity: 'FATAL', code: '08P01', message: 'message too large' });
      const msg = this.#buffer.subarray(0, len);
      this.#buffer = this.#buffer.subarray(len);
      if (typed) await this.#message(decodeFrontend(msg));
      else await this.#startup(msg);
    }
  }

  async #startup(msg: Buffer): Promise<void> {
    const m = decodeStartup(msg);
    if (m.kind === 'ssl') {
      if (!this.tls || this.#encrypted) return this.#write(this.#out.sslAnswer(false));
      this.#write(this.#out.sslAnswer(true));
      const raw = this.#socket;
      raw.removeAllListeners('data');
      const secure = new TLSSocket(raw, { isServer: true, secureContext: this.tls });
      this.#socket = secure;
      this.#encrypted = true;
      this.#listen(secure);
      return;
    }
    if (m.kind === 'gssenc') return this.#write(this.#out.sslAnswer(false));
    if (m.kind === 'cancel') {
      this.cancels.cancel(m.processId, m.secretKey);
      return this.#destroy();
    }
    if (m.kind === 'unsupported')
      return this.#fatal({ severity: 'FATAL', code: '0A000', message: 'unsupported frontend protocol' });
    if (this.refusal) return this.#fatal(this.refusal);
    if (this.ctx.options.requireTls && !this.#encrypted)
      return this.#fatal({
        severity: 'FATAL',
        code: '28000',
        message: 'This server requires TLS off loopback: connect with sslmode=require.',
      });
    this.#params = m.parameters;
    if (!m.parameters.user)
      return this.#fatal({ severity: 'FATAL', code: '28000', message: 'no user name given' });
    this.#phase = 'auth';
    this.#write(this.#out.authenticationCleartextPassword());
  }

  async #authenticate(password: string): Promise<void> {
    const user = this.#params.user ?? '';
    const refuse = async (code: string, sqlState: string, message: string) => {
      await this.ctx.services
        .audit({
          type: 'auth_failure',
          requestId: `pg-${this.#connectionId}`,
          route: 'SQL wire',
          clientAddress: this.#socket.remoteAddress,
          outcome: 'refused',
          detail: { code, user: user.slice(0, 200) },
        })
        .catch(() => {});
      this.#fatal({ severity: 'FATAL', code: sqlState, message });
    };
    const failed = `password authentication failed for user "${user.slice(0, 63)}"`;
    let identity: Identity;
    try {
      if (!password) throw new WireError('WIRE_PROTOCOL', 'empty password', '28P01');
      identity = await this.ctx.services.authenticator.authenticate(`Bearer ${password}`);
    } catch (err) {
      return refuse(isAnalystError(err) ? err.code : 'AUTH_INVALID', '28P01', failed);
    }
    const sameUser =
      identity.userId === user || (identity.method === 'apikey' && identity.userId === `service:${user}`);
    if (!sameUser) return refuse('USER_MISMATCH', '28P01', failed);
    if (identity.method === 'apikey' && !identity.scopes?.includes('sql'))
      return refuse('FORBIDDEN', '42501', 'This API key lacks the "sql" scope.');

    this.#runner = new StatementRunner(
      this.ctx,
      identity,
      user,
      this.#params.application_name ?? '',
      this.#socket.remoteAddress,
    );
    // Build the caller's catalog while the client reads the greeting (errors surface on first use).
    this.#runner.catalog().catch(() => {});
    const keys = this.cancels.register(this);
    this.#processId = keys.processId;
    this.#phase = 'ready';
    const out = [this.#out.authenticationOk()];
    for (const name of REPORTED)
      out.push(this.#out.parameterStatus(name, this.#runner.settings.get(name.toLowerCase()) ?? ''));
    out.push(this.#out.backendKeyData(keys.processId, keys.secretKey), this.#out.readyForQuery('I'));
    this.#write(Buffer.concat(out));
  }

  async #message(m: FrontendMessage): Promise<void> {
    if (this.#phase === 'auth') {
      if (m.type === 'password') return this.#authenticate(m.password);
      if (m.type === 'terminate') return this.#destroy();
      return this.#fatal({ severity: 'FATAL', code: '08P01', message: 'expected a password message' });
    }
    const runner = this.#runner;
    if (!runner) return this.#destroy();
    if (this.#skipUntilSync && m.type !== 'sync' && m.type !== 'terminate') return;
    try {
      switch (m.type) {
        case 'query':
          return await this.#simpleQuery(m.sql, runner);
        case 'parse':
          this.#statements.set(m.name, { sql: m.sql, paramTypes: m.paramTypes });
          return this.#write(this.#out.parseComplete());
        case 'bind':
          return this.#bind(m);
        case 'describe':
          return await this.#describe(m.target, m.name, runner);
        case 'execute':
          return await this.#execute(m.portal, m.maxRows, runner);
        case 'close':
          if (m.target === 'S') this.#statements.delete(m.name);
          else this.#portals.delete(m.name);
          return this.#write(this.#out.closeComplete());
        case 'sync':
          this.#skipUntilSync = false;
          this.#portals.delete('');
          return this.#write(this.#out.readyForQuery(runner.txStatus));
        case 'flush':
          return;
        case 'terminate':
          return this.#destroy();
        case 'copy':
          throw new WireError('WIRE_UNSUPPORTED', 'COPY is not supported by this server.', '0A000');
        default:
          throw new WireError('WIRE_PROTOCOL', 'unexpected message', '08P01');
      }
    } catch (err) {
      runner.failed();
      this.#write(this.#out.error(this.#errorFields(err)));
      this.#skipUntilSync = true;
    }
  }

  async #simpleQuery(sql: string, runner: StatementRunner): Promise<void> {
    const statements = splitStatements(sql);
    if (statements.length === 0) this.#write(this.#out.emptyQueryResponse());
    for (const stmt of statements) {
      try {
        const r = await this.#run(stmt, runner);
        if (r.kind === 'rows') this.#write(this.#out.rowDescription(fieldsOf(r.columns)));
        await this.#sendResult(r, 0, 0);
      } catch (err) {
        runner.failed();
        this.#write(this.#out.error(this.#errorFields(err)));
        break;
      }
    }
    this.#write(this.#out.readyForQuery(runner.txStatus));
  }

  async #run(sql: string, runner: StatementRunner): Promise<StatementResult> {
    const controller = new AbortController();
    this.#running = controller;
    try {
      return await runner.run(sql, controller.signal);
    } finally {
      this.#running = undefined;
    }
  }

  #bind(m: Extract<FrontendMessage, { type: 'bind' }>): void {
    const stmt = this.#statements.get(m.statement);
    if (!stmt)
      throw new WireError('WIRE_NOT_FOUND', `prepared statement "${m.statement}" does not exist`, '26000');
    if (m.resultFormats.some((f) => f !== 0))
      throw new WireError(
        'WIRE_UNSUPPORTED',
        'Binary result format is not supported; ask for text results.',
        '0A000',
      );
    const values = m.params.map((buf, i) => {
      if (buf === null) return null;
      const format = m.paramFormats.length === 1 ? m.paramFormats[0] : (m.paramFormats[i] ?? 0);
      if (format === 0) return buf.toString('utf8');
      const text = binaryParamText(buf, stmt.paramTypes[i] ?? 0);
      if (text === undefined)
        throw new WireError(
          'WIRE_UNSUPPORTED',
          'A binary parameter of this type is not supported; send it as text.',
          '0A000',
        );
      return text;
    });
    this.#portals.set(m.portal, { sql: bindPlaceholders(stmt.sql, values, stmt.paramTypes), sent: 0 });
    this.#write(this.#out.bindComplete());
  }

  async #describe(target: 'S' | 'P', name: string, runner: StatementRunner): Promise<void> {
    if (target === 'P') {
      const portal = this.#portals.get(name);
      if (!portal) throw new WireError('WIRE_NOT_FOUND', `portal "${name}" does not exist`, '34000');
      portal.result ??= await this.#run(portal.sql, runner);
      const r = portal.result;
      return this.#write(
        r.kind === 'rows' ? this.#out.rowDescription(fieldsOf(r.columns)) : this.#out.noData(),
      );
    }
    const stmt = this.#statements.get(name);
    if (!stmt) throw new WireError('WIRE_NOT_FOUND', `prepared statement "${name}" does not exist`, '26000');
    const count = Math.max(placeholderCount(stmt.sql), stmt.paramTypes.length);
    const types = Array.from({ length: count }, (_, i) => stmt.paramTypes[i] || OID.text);
    this.#write(this.#out.parameterDescription(types));
    // The columns of a statement not yet bound: run it with NULL parameters and no rows wanted.
    const bound = bindPlaceholders(
      stmt.sql.replace(/;\s*$/, ''),
      types.map(() => null),
      types,
    );
    if (!/^\s*(SELECT|WITH|VALUES|TABLE|SHOW)\b/i.test(bound)) return this.#write(this.#out.noData());
    const probe = /^\s*SHOW\b/i.test(bound) ? bound : `SELECT * FROM (${bound}\n) AS described LIMIT 0`;
    const r = await this.#run(probe, runner);
    this.#write(r.kind === 'rows' ? this.#out.rowDescription(fieldsOf(r.columns)) : this.#out.noData());
  }

  async #execute(name: string, maxRows: number, runner: StatementRunner): Promise<void> {
    const portal = this.#portals.get(name);
    if (!portal) throw new WireError('WIRE_NOT_FOUND', `portal "${name}" does not exist`, '34000');
    portal.result ??= await this.#run(portal.sql, runner);
    portal.sent = await this.#sendResult(portal.result, portal.sent, maxRows);
  }

  /** Send rows from `from` (at most `max`, 0 = all) and the completion; returns the next row index. */
  async #sendResult(r: StatementResult, from: number, max: number): Promise<number> {
    if (r.kind === 'empty') {
      this.#write(this.#out.emptyQueryResponse());
      return 0;
    }
    if (r.kind === 'command') {
      if (r.parameterStatus) this.#write(this.#out.parameterStatus(...r.parameterStatus));
      this.#write(this.#out.commandComplete(r.tag));
      return 0;
    }
    const oids = fieldsOf(r.columns).map((f) => f.typeOid);
    const end = max > 0 ? Math.min(r.rows.length, from + max) : r.rows.length;
    let batch: Buffer[] = [];
    let bytes = 0;
    for (let i = from; i < end; i++) {
      const row = r.rows[i] as unknown[];
      const msg = this.#out.dataRow(row.map((v, k) => textValue(v, oids[k] ?? OID.text)));
      batch.push(msg);
      bytes += msg.length;
      if (bytes >= BATCH_BYTES) {
        await this.#writeAndDrain(Buffer.concat(batch));
        batch = [];
        bytes = 0;
      }
    }
    if (batch.length) this.#write(Buffer.concat(batch));
    if (end < r.rows.length) this.#write(this.#out.portalSuspended());
    else this.#write(this.#out.commandComplete(r.tag));
    return end;
  }

  /** The client's error; an unexpected one is logged with where it was thrown (never its message). */
  #errorFields(err: unknown): ErrorFields {
    const fields = errorFieldsOf(err);
    if (fields.code === 'XX000')
      this.ctx.logger?.error(
        {
          connection: this.#connectionId,
          err: err instanceof Error ? err.name : 'unknown',
          at: codeFrames(err),
        },
        'SQL wire statement failed',
      );
    return fields;
  }

  #write(buf: Buffer): void {
    if (this.#phase !== 'closed' && !this.#socket.destroyed) this.#socket.write(buf);
  }

  async #writeAndDrain(buf: Buffer): Promise<void> {
    if (this.#phase === 'closed' || this.#socket.destroyed) throw new Error('connection closed');
    if (this.#socket.write(buf)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }

  #fatal(fields: ErrorFields): void {
    this.#write(this.#out.error(fields));
    this.#socket.end();
    this.#destroy();
  }

  #destroy(): void {
    if (this.#phase === 'closed') return;
    this.#phase = 'closed';
    this.#running?.abort();
    if (this.#processId) this.cancels.unregister(this.#processId);
    this.#runner?.close();
    if (!this.#socket.writableEnded) this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
    this.onClose();
  }
}

/** Cancel keys for live sessions: random secrets, looked up by process id. */
export function createCancelRegistry(): CancelRegistry {
  const live = new Map<number, { secretKey: number; session: WireSession }>();
  return {
    register(session) {
      let processId = randomInt(1, 2 ** 31 - 1);
      while (live.has(processId)) processId = randomInt(1, 2 ** 31 - 1);
      const secretKey = randomInt(-(2 ** 31), 2 ** 31 - 1);
      live.set(processId, { secretKey, session });
      return { processId, secretKey };
    },
    unregister(processId) {
      live.delete(processId);
    },
    cancel(processId, secretKey) {
      const s = live.get(processId);
      if (s && s.secretKey === secretKey) s.session.cancel();
    },
  };
}
