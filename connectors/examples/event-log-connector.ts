import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { tableFromArrays } from 'apache-arrow';
import { z } from 'zod';
import { ConnectorError, defineConnector, type ReadMessage } from '../index.ts';

/** An append-only event log: one JSON object per line, `{ "id": 1, "kind": "login", "at": "…" }`. */
export const eventLogConnector = defineConnector({
  type: 'event-log',
  description: 'an append-only NDJSON event log',
  spec: z.object({ file: z.string().min(1) }).strict(),

  async check(options, ctx) {
    const text = await readFile(resolve(ctx.baseDir, options.file), 'utf8').catch(() => undefined);
    return text === undefined ? { reason: `cannot read ${options.file}` } : true;
  },

  async discover() {
    return [
      {
        name: 'events',
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'kind', type: 'VARCHAR' },
          { name: 'at', type: 'TIMESTAMP' },
        ],
        primaryKey: ['id'],
        cursorField: 'id',
      },
    ];
  },

  async *read(options, _stream, state, ctx): AsyncGenerator<ReadMessage> {
    const path = resolve(ctx.baseDir, options.file);
    const text = await readFile(path, 'utf8').catch((cause) => {
      throw new ConnectorError('CONNECTOR_UNREACHABLE', `event-log: cannot read ${options.file}`, { cause });
    });
    // Resume after the last line a committed load consumed.
    const done = Number(state?.lines ?? 0);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const events = lines.slice(done).map((l) => JSON.parse(l) as { id: number; kind: string; at: string });
    if (events.length > 0) {
      const table = tableFromArrays({
        id: Float64Array.from(events.map((e) => e.id)),
        kind: events.map((e) => e.kind),
        at: events.map((e) => e.at),
      });
      yield { type: 'batch', batch: { kind: 'arrow', table } };
    }
    yield { type: 'state', state: { lines: lines.length } };
  },
});
