import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import {
  AUDIT_EVENT_TYPES,
  AuditError,
  type AuditFilter,
  AuditLog,
  type AuditRecordInput,
  auditLogConfig,
  type VerifyReport,
} from '../../audit/index.ts';
import { loadWorkspace, optionsOf } from '../context.ts';
import { printData, table } from '../output.ts';

type Run = (fn: () => Promise<number | undefined>) => void;

async function withAudit<T>(cmd: Command, fn: (log: AuditLog) => Promise<T>): Promise<T> {
  const ws = await loadWorkspace(optionsOf(cmd));
  const log = await AuditLog.open(auditLogConfig(ws));
  try {
    return await fn(log);
  } finally {
    await log.close();
  }
}

/** Where the anchors outside the store stand, or why there are none. */
function anchorLine(a: VerifyReport['anchors']): string {
  if (!a.files) return 'anchors: none found (audit.anchors): a rollback of the store cannot be detected';
  const torn = a.unreadable ? `, ${a.unreadable} unreadable line(s) skipped` : '';
  return `anchored through ${a.anchoredThrough} (${a.count} anchor(s) in ${a.files} file(s)${torn})`;
}

/** Who ran the command: the operating-system account (the CLI has no IdP session). */
function operator(): string {
  return `os:${userInfo().username}`;
}

function adminRecord(action: string, outcome: AuditRecordInput['outcome'], details: Record<string, unknown>) {
  return {
    type: 'admin' as const,
    outcome,
    userId: operator(),
    route: `analyst audit ${action}`,
    details: { action: `audit.${action}`, ...details },
  };
}

interface FilterOptions {
  user?: string;
  from?: string;
  to?: string;
  type?: string;
}

function filterOf(o: FilterOptions): AuditFilter {
  const f: AuditFilter = {};
  if (o.user) f.userId = o.user;
  if (o.type) {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(o.type))
      throw usage(`--type must be one of ${AUDIT_EVENT_TYPES.join(', ')}`);
    f.type = o.type;
  }
  if (o.from) f.from = isoTime(o.from, '--from');
  if (o.to) f.to = isoTime(o.to, '--to');
  return f;
}

function isoTime(text: string, flag: string): string {
  const t = Date.parse(text);
  if (Number.isNaN(t))
    throw usage(`${flag} must be an ISO 8601 date or time, e.g. 2025-01-31 or 2025-01-31T12:00:00Z`);
  return new Date(t).toISOString();
}

function usage(message: string): AuditError {
  return new AuditError('AUDIT_USAGE', message, { exitCode: 2 });
}

function filterFlags(c: Command): Command {
  return c
    .option('--user <id>', 'only records of this user')
    .option('--from <time>', 'from this time (inclusive, ISO 8601)')
    .option('--to <time>', 'up to this time (exclusive, ISO 8601)')
    .option('--type <type>', `only this event type (${AUDIT_EVENT_TYPES.join(', ')})`);
}

/** `analyst audit verify|search|export|retention`. */
export function registerAudit(program: Command, run: Run): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');

  audit
    .command('verify')
    .description('recompute the hash chain, checkpoints and signed head; exit 0 only when intact')
    .action((_o, cmd: Command) =>
      run(async () => {
        const report = await withAudit(cmd, async (log) => {
          const r = await log.verify();
          const first = r.firstProblem ? { kind: r.firstProblem.kind, seq: r.firstProblem.seq } : null;
          await log.append(
            adminRecord('verify', r.ok ? 'ok' : 'error', { intact: r.ok, records: r.records, first }),
          );
          return r;
        });
        printData(report, Boolean(optionsOf(cmd).json), () =>
          [
            report.ok ? 'audit log intact' : `audit log ALTERED: ${report.problemCount} problem(s)`,
            `records ${report.records} (seq ${report.firstSeq ?? '-'}–${report.lastSeq ?? '-'}), checkpoints ${report.checkpoints}, sealed through ${report.sealedThrough}`,
            anchorLine(report.anchors),
            `signing key ${report.signingKey}`,
            ...report.problems.slice(0, 20).map((p) => `  ${p.kind.padEnd(10)} ${p.message}`),
          ].join('\n'),
        );
        return report.ok ? 0 : 1;
      }),
    );

  filterFlags(audit.command('search'))
    .description('records, newest first (prompts and responses decrypted)')
    .option('--limit <n>', 'at most this many records', '100')
    .action((_o, cmd: Command) =>
      run(async () => {
        const o = optionsOf<FilterOptions & { limit: string }>(cmd);
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw usage('--limit must be a positive whole number');
        const filter = filterOf(o);
        const records = await withAudit(cmd, async (log) => {
          const found = (await log.search(filter, { limit })).records;
          // Reading the audit trail is itself access to PHI: recorded after the search.
          await log.append(adminRecord('search', 'ok', { filter, returned: found.length }));
          return found;
        });
        printData(records, Boolean(o.json), () =>
          table(
            ['seq', 'time', 'type', 'user', 'outcome', 'route'],
            records.map((r) => [r.seq, r.time, r.type, r.userId, r.outcome, r.route]),
          ),
        );
        return 0;
      }),
    );

  filterFlags(audit.command('export'))
    .description('every matching record in chain order, for an investigation')
    .requiredOption('--format <format>', 'jsonl or csv')
    .option('--out <file>', 'write here (mode 0600) instead of standard output')
    .action((_o, cmd: Command) =>
      run(async () => {
        const o = optionsOf<FilterOptions & { format: string; out?: string }>(cmd);
        if (o.format !== 'jsonl' && o.format !== 'csv') throw usage('--format must be jsonl or csv');
        const format = o.format;
        const filter = filterOf(o);
        await withAudit(cmd, async (log) => {
          // Recorded before a byte leaves: no record, no export.
          await log.append({
            type: 'export',
            outcome: 'ok',
            userId: operator(),
            route: 'analyst audit export',
            details: { format, filter, destination: o.out ? 'file' : 'stdout' },
          });
          const out = o.out ? createWriteStream(o.out, { mode: 0o600 }) : process.stdout;
          for await (const chunk of log.export(format, filter)) {
            if (!out.write(chunk)) await once(out, 'drain');
          }
          if (o.out) {
            out.end();
            await once(out, 'finish');
          }
        });
        return 0;
      }),
    );

  audit
    .command('retention')
    .description('purge bodies, queries and metadata past their retention (nothing under legal hold)')
    .action((_o, cmd: Command) =>
      run(async () => {
        const report = await withAudit(cmd, (log) => log.retention());
        printData(report, Boolean(optionsOf(cmd).json), () =>
          report.legalHold
            ? 'legal hold is on: nothing purged'
            : [
                `bodies before ${report.bodiesBefore}: ${report.bodiesPurged} record(s) purged`,
                `queries before ${report.queriesBefore}: ${report.queriesPurged} record(s) purged`,
                `metadata before ${report.metadataBefore}: ${report.recordsDeleted} record(s) deleted (through seq ${report.metadataThrough})`,
              ].join('\n'),
        );
        return 0;
      }),
    );
}
