import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { Lakehouse, staticKeyProvider } from '../../lakehouse/index.ts';
import { type ConnectorConfig, openConnector, syncConnector } from '../sync/engine.ts';
import { secretPaths, valuesAt } from './define.ts';
import { withScratchDuckDB } from './scratch-duckdb.ts';
import type { Connector, ConnectorLogger, SyncMode } from './types.ts';

/** What `runConnectorSuite` needs to exercise a connector against a real source. */
export interface ConnectorSuiteInit<O> {
  connector: Connector<O>;
  /** Prepare the source (tables, files, servers); called once before the tests. */
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** Options that reach the source. */
  options: () => O;
  /** Options the source must refuse (wrong password, token, or an unreachable location). */
  badOptions: () => O;
  /** The code the refusal must carry, e.g. CONNECTOR_AUTH_FAILED. */
  badOptionsCode: string;
  /** The stream the read tests use, and how many rows it holds after setup. */
  stream: string;
  expectedRows: number;
  /** Add rows at the source for the incremental test; returns how many were added. */
  addRows: () => Promise<number>;
  /** The incremental mode to test (default incremental_append). */
  incrementalMode?: Exclude<SyncMode, 'full_refresh'>;
}

/**
 * The conformance suite every connector passes: check, discover, full read, incremental read
 * resuming from committed state, a clear error for refused credentials, and no secret in any
 * log line or error. It loads through the real sync engine into a real (encrypted) lake.
 *
 * @example runConnectorSuite({ connector: filesConnector, options: () => ({ path: dir }), ... });
 */
export function runConnectorSuite<O>(init: ConnectorSuiteInit<O>): void {
  const c = init.connector;
  describe(`connector conformance: ${c.type}`, () => {
    let dir: string;
    let lake: Lakehouse;
    const logs: string[] = [];
    const errors: string[] = [];
    const log: ConnectorLogger = {
      info: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
      warn: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
      debug: (m, f) => logs.push(`${m} ${JSON.stringify(f ?? {})}`),
    };
    const env = () => ({
      lake,
      connectors: new Map([[c.type, c]]),
      resolveSecret: (v: string) => v,
      log,
    });
    const config = (name: string, mode: SyncMode, options: unknown = init.options()): ConnectorConfig => ({
      name,
      type: c.type,
      options: options as Record<string, unknown>,
      streams: [init.stream],
      mode,
      on_reject: 'skip',
    });

    beforeAll(async () => {
      await init.setup?.();
      dir = await mkdtemp(join(tmpdir(), `analyst-suite-${c.type}-`));
      lake = await Lakehouse.open({
        catalog: { type: 'duckdb', path: join(dir, 'catalog.ducklake') },
        dataPath: join(dir, 'data'),
        key: staticKeyProvider('conformance-suite-key-0123456789'),
        create: true,
        threads: 2,
      });
    });
    afterAll(async () => {
      await lake?.close();
      await rm(dir, { recursive: true, force: true });
      await init.teardown?.();
    });

    it('validates its own options with its spec', () => {
      expect((c.spec as z.ZodType).safeParse(init.options()).success).toBe(true);
    });

    it('check() reaches the source', async () => {
      const opened = await openConnector(config('check', 'full_refresh'), env());
      try {
        expect(await c.check(opened.options as O, opened.ctx)).toBe(true);
      } finally {
        await opened.close();
      }
    });

    it('discover() describes the stream with valid DuckDB types and existing key columns', async () => {
      const opened = await openConnector(config('discover', 'full_refresh'), env());
      const streams = await c.discover(opened.options as O, opened.ctx).finally(() => opened.close());
      const s = streams.find((x) => x.name === init.stream);
      expect(s, `stream ${init.stream} in ${streams.map((x) => x.name).join(',')}`).toBeDefined();
      expect(s!.columns.length).toBeGreaterThan(0);
      const names = new Set(s!.columns.map((col) => col.name));
      for (const k of s!.primaryKey) expect(names.has(k)).toBe(true);
      if (s!.cursorField) expect(names.has(s!.cursorField)).toBe(true);
      await withScratchDuckDB(async (q) => {
        for (const col of s!.columns) await q(`SELECT CAST(NULL AS ${col.type})`);
      });
    });

    it('reads the full stream into the lake', async () => {
      const run = await syncConnector(config('full', 'full_refresh'), env());
      const r = run.streams[0]!;
      expect(r.error).toBeUndefined();
      expect(r.status).toBe('ok');
      const count = await lake.query(`SELECT count(*) FROM ${lake.tableRef(r.table)}`);
      expect(Number(count.rows[0]?.[0])).toBe(init.expectedRows);
      // A second full refresh replaces rather than appends.
      await syncConnector(config('full', 'full_refresh'), env());
      const again = await lake.query(`SELECT count(*) FROM ${lake.tableRef(r.table)}`);
      expect(Number(again.rows[0]?.[0])).toBe(init.expectedRows);
    });

    it('resumes an incremental read from its committed state without duplicates', async () => {
      const mode = init.incrementalMode ?? 'incremental_append';
      const cfg = { ...config('incr', mode), table_prefix: 'incr_' };
      const first = await syncConnector(cfg, env());
      expect(first.streams[0]?.error).toBeUndefined();
      const table = first.streams[0]!.table;
      const count = async () =>
        Number((await lake.query(`SELECT count(*) FROM ${lake.tableRef(table)}`)).rows[0]?.[0]);
      expect(await count()).toBe(init.expectedRows);
      const unchanged = await syncConnector(cfg, env());
      expect(unchanged.streams[0]?.status).toBe('ok');
      expect(await count()).toBe(init.expectedRows);
      const added = await init.addRows();
      expect(added).toBeGreaterThan(0);
      await syncConnector(cfg, env());
      expect(await count()).toBe(init.expectedRows + added);
      await syncConnector(cfg, env());
      expect(await count()).toBe(init.expectedRows + added);
    });

    it('refuses bad credentials with a clear error', async () => {
      const bad = init.badOptions();
      const opened = await openConnector(config('bad', 'full_refresh', bad), env());
      try {
        const verdict = await c
          .check(opened.options as O, opened.ctx)
          .catch((e: Error) => ({ reason: e.message }));
        expect(verdict).not.toBe(true);
        errors.push((verdict as { reason: string }).reason);
      } finally {
        await opened.close();
      }
      const err = await syncConnector(config('bad', 'full_refresh', bad), env()).then(
        (run) => run.streams[0]?.error,
        (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
      );
      expect(err?.code).toBe(init.badOptionsCode);
      expect(err?.message.length).toBeGreaterThan(10);
      errors.push(err?.message ?? '');
    });

    it('never writes a secret into a log line, an error or the lake', async () => {
      const paths = secretPaths(c.spec as z.ZodType);
      const secrets = [...valuesAt(init.options(), paths), ...valuesAt(init.badOptions(), paths)].filter(
        (s) => s.length >= 4,
      );
      const history = await lake.query(
        `SELECT coalesce(string_agg(error, ' '), '') FROM lake._analyst.sync_history`,
      );
      const text = [...logs, ...errors, String(history.rows[0]?.[0] ?? '')].join('\n');
      expect(errors.length).toBeGreaterThan(0);
      for (const s of secrets) expect(text.includes(s), 'a secret value leaked').toBe(false);
    });
  });
}
