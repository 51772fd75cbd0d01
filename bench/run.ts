// `npm run bench`: every benchmark in one run, each figure beside its anchor. Writes
// bench/results.json and bench/results.md; figures that miss their aim are listed at the end.
import { readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bench, type BenchResult, meetsAim } from './result.ts';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: BenchResult[] = [];
const sections: string[] = [];
for (const file of files) {
  const topic = file.replace('.bench.ts', '');
  if (only.length && !only.includes(topic)) continue;
  console.error(`== ${topic}`);
  const mod = (await import(join(here, file))) as { run: Bench; markdown?: () => string };
  try {
    for (const r of await mod.run()) {
      results.push(r);
      console.error(
        `   ${r.name}: ${fmt(r.value)} ${r.unit} vs ${fmt(r.anchorValue)} (${r.anchor}) ratio ${fmt(r.ratio)} aim ${r.aim}`,
      );
    }
    // A module may add a section of its own to results.md (e.g. the scale benchmark's growth table).
    const section = mod.markdown?.();
    if (section) sections.push(section);
  } catch (err) {
    console.error(`   ${topic} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
await writeFile(join(here, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
const missed = results.filter((r) => !meetsAim(r));
const md = [
  '| name | value | unit | anchor | anchor value | ratio | aim | met |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.value)} | ${r.unit} | ${r.anchor} | ${fmt(r.anchorValue)} | ${fmt(r.ratio)} | ${r.aim}${r.valueAim ? ` and value ${r.valueAim}` : ''} | ${meetsAim(r) ? 'yes' : 'NO'} |`,
  ),
  '',
  missed.length
    ? `Missed aims: ${missed.map((r) => `${r.name} (${fmt(r.ratio)}, aim ${r.aim})`).join(', ')}`
    : 'All aims met.',
  ...sections,
].join('\n');
await writeFile(join(here, 'results.md'), `${md}\n`);
console.log(md);

function fmt(n: number): string {
  return Math.abs(n) >= 100 ? n.toFixed(0) : n.toPrecision(3);
}
