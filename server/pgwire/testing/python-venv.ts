// A throwaway Python virtualenv with psycopg, SQLAlchemy and pandas from PyPI, built once per
// set of versions under the OS temp folder and reused by later runs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The packages the SQL API's Python test drives, pinned. */
export const PYTHON_PACKAGES = ['psycopg[binary]==3.2.3', 'SQLAlchemy==2.0.36', 'pandas==2.2.3'];

/** The virtualenv's python, building the virtualenv first when this set of versions has none. */
export async function pythonWithClients(): Promise<string> {
  const key = PYTHON_PACKAGES.map((p) => p.replace(/\[.*\]/, '').replace('==', '')).join('-');
  const dir = join(tmpdir(), `analyst-pgwire-venv-${key.toLowerCase()}`);
  const python = join(dir, 'bin', 'python');
  if (existsSync(join(dir, '.complete'))) return python;
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', partial]);
  await run(
    join(partial, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', ...PYTHON_PACKAGES],
    {
      maxBuffer: 1 << 24,
    },
  );
  await run('touch', [join(partial, '.complete')]);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return python;
}
