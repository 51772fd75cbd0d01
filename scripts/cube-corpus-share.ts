// The share of Cube model files that validate here, each as Cube would read it in an empty
// workspace: a top-level file alone, the files of a subfolder together (one Cube project).
// Usage: npx tsx scripts/cube-corpus-share.ts <dir> [--json]
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compileModelPartial } from '../semantic/index.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: cube-corpus-share.ts <dir> [--json]');
  process.exit(2);
}
const projects: Array<Array<{ file: string; text: string }>> = [];
for (const name of (await readdir(dir)).sort()) {
  const path = join(dir, name);
  if ((await stat(path)).isDirectory()) {
    const files = (await readdir(path)).filter((f) => /\.ya?ml$/.test(f)).sort();
    projects.push(
      await Promise.all(
        files.map(async (f) => ({ file: `${name}/${f}`, text: await readFile(join(path, f), 'utf8') })),
      ),
    );
  } else if (/\.ya?ml$/.test(name)) projects.push([{ file: name, text: await readFile(path, 'utf8') }]);
}
const results: Array<{ file: string; problems: string[]; excluded: string[] }> = [];
for (const files of projects) {
  let partial: ReturnType<typeof compileModelPartial> | null = null;
  let thrown = '';
  try {
    partial = compileModelPartial(files);
  } catch (e) {
    thrown = (e as Error).message.split('\n').slice(0, 3).join(' | ');
  }
  for (const { file } of files) {
    const problems = partial
      ? partial.diagnostics.filter((d) => d.file === file).map((d) => `${d.path}: ${d.message}`)
      : [thrown];
    results.push({ file, problems, excluded: partial?.excluded.map((x) => `${x.kind} ${x.name}`) ?? [] });
  }
}
const valid = results.filter((r) => r.problems.length === 0).length;
if (process.argv.includes('--json'))
  console.log(JSON.stringify({ valid, total: results.length, results }, null, 2));
else {
  for (const r of results)
    console.log(
      `${r.problems.length ? 'FAIL' : 'ok  '} ${r.file}${r.problems.length ? `\n       ${r.problems.slice(0, 4).join('\n       ')}` : ''}`,
    );
  console.log(`${valid}/${results.length} validate (${Math.round((100 * valid) / results.length)}%)`);
}
