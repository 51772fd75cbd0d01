import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { eventLogConnector } from './event-log-connector.ts';

let dir = '';
let next = 1;
const events = (n: number) =>
  Array.from({ length: n }, () => {
    const id = next++;
    return JSON.stringify({
      id,
      kind: id % 2 ? 'login' : 'logout',
      at: `2024-05-01T10:${String(id % 60).padStart(2, '0')}:00`,
    });
  }).join('\n');

runConnectorSuite({
  connector: eventLogConnector,
  setup: async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-event-log-'));
    await writeFile(join(dir, 'events.ndjson'), `${events(20)}\n`);
  },
  teardown: () => rm(dir, { recursive: true, force: true }),
  options: () => ({ file: join(dir, 'events.ndjson') }),
  badOptions: () => ({ file: join(dir, 'missing.ndjson') }),
  badOptionsCode: 'CONNECTOR_UNREACHABLE',
  stream: 'events',
  expectedRows: 20,
  addRows: async () => {
    await appendFile(join(dir, 'events.ndjson'), `${events(5)}\n`);
    return 5;
  },
});

it('docs/connectors.md shows this example exactly as it is tested', async () => {
  const docs = await readFile(resolve(import.meta.dirname, '../../docs/connectors.md'), 'utf8');
  const code = await readFile(resolve(import.meta.dirname, 'event-log-connector.ts'), 'utf8');
  expect(docs).toContain(code.trim());
});
