import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConnectorSuite } from '../sdk/conformance.ts';
import { filesConnector } from './connector.ts';

let dir = '';
const csv = (from: number, n: number) =>
  `id,name,score,seen_at\n${Array.from({ length: n }, (_, i) => `${from + i},"name ${from + i}, jr",${(from + i) * 1.5},2024-01-0${1 + (i % 9)} 10:00:00`).join('\n')}\n`;

runConnectorSuite({
  connector: filesConnector,
  setup: async () => {
    dir = await mkdtemp(join(tmpdir(), 'analyst-files-'));
    await writeFile(join(dir, 'people_a.csv'), csv(1, 100));
  },
  teardown: () => rm(dir, { recursive: true, force: true }),
  options: () => ({ path: dir, streams: { people: join(dir, 'people_*.csv') }, lowercase_columns: false }),
  badOptions: () => ({ path: join(dir, 'missing-folder'), lowercase_columns: false }),
  badOptionsCode: 'CONNECTOR_UNREACHABLE',
  stream: 'people',
  expectedRows: 100,
  addRows: async () => {
    await writeFile(join(dir, 'people_b.csv'), csv(101, 25));
    return 25;
  },
});
