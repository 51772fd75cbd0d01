// Entry point for `npm install` (postinstall) and `npm run postinstall`: fetch the DuckDB
// extensions into the project's own directory. A failure is reported but does not fail the
// install: the lakehouse tries again on first use and then stops with the same clear error.
import { isAnalystError } from '../../core/index.ts';
import { installExtensions } from './install.ts';

try {
  const sources = await installExtensions({ onProgress: (line) => console.error(`[analyst] ${line}`) });
  console.error(
    `[analyst] DuckDB extensions ready: ${Object.entries(sources)
      .map(([n, s]) => `${n} (${s})`)
      .join(', ')}`,
  );
} catch (err) {
  console.error(`[analyst] ${isAnalystError(err) ? `${err.code}: ${err.message}` : String(err)}`);
  process.exitCode = process.env.ANALYST_EXTENSIONS_REQUIRED === '1' ? 1 : 0;
}
