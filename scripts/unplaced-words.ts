// Vocabulary gaps from any list of questions: each question (one a line; blank lines and lines
// starting with # are skipped) is asked through the offline interpreter as one eval user, over a
// throwaway lake built from Synthea-layout CSV files (the eval environment, as `analyst eval` does),
// and the words the answers say they "could not place" are counted.
//
// Usage: npx tsx scripts/unplaced-words.ts <questions.txt> [--data <dir>] [--as <user>] [--model <dir>] [--json]
//          [--show <n>] [--all]
//   --show  also list up to n questions per word, and the other questions back
//   --all   also print every question with its status and interpretation (or the question back)
//   --data  Synthea CSV folder (default /work/shared/fixtures/synthea or $ANALYST_EVAL_DATA)
//   --as    eval user from evals/environment.yaml (default limited_data_set)
//   --model semantic model folder (default: the bundled Synthea model)
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_EVAL_MODEL,
  DEFAULT_EVALS_DIR,
  EvalEnvironment,
  loadEnvironmentSpec,
} from '../evals/index.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  console.error(
    'usage: unplaced-words.ts <questions.txt> [--data <dir>] [--as <user>] [--model <dir>] [--json] [--show <n>] [--all]',
  );
  process.exit(2);
}
const dataDir = option('--data') ?? process.env.ANALYST_EVAL_DATA ?? '/work/shared/fixtures/synthea';
const as = option('--as') ?? 'limited_data_set';
const show = Number(option('--show') ?? 0);

const questions = (await readFile(file, 'utf8'))
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** The words of "I could not place "x", "y" in …" (every reader words it this way). */
function unplacedWords(answer: string): string[] {
  const m = /I could not place ((?:"[^"]*"(?:, )?)+)/.exec(answer);
  return m ? [...(m[1] ?? '').matchAll(/"([^"]*)"/g)].map((x) => x[1] as string) : [];
}

const env = await EvalEnvironment.create({
  dataDir,
  modelDir: option('--model') ?? DEFAULT_EVAL_MODEL,
  spec: await loadEnvironmentSpec(DEFAULT_EVALS_DIR),
});
const words = new Map<string, string[]>();
const statuses = new Map<string, number>();
const otherClarify: Array<{ question: string; answer: string }> = [];
const every: Array<{ question: string; status: string; said: string }> = [];
let withUnplaced = 0;
try {
  const ctx = env.user(as);
  for (const question of questions) {
    const r = await env.analyst.run(question, ctx);
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    every.push({ question, status: r.status, said: r.interpretation ?? r.answer });
    const list = unplacedWords(r.answer);
    if (list.length) withUnplaced++;
    else if (r.status !== 'ok') otherClarify.push({ question, answer: r.answer });
    for (const w of new Set(list.map((x) => x.toLowerCase())))
      words.set(w, [...(words.get(w) ?? []), question]);
  }
} finally {
  await env.close();
}

const table = [...words.entries()]
  .map(([word, qs]) => ({ word, count: qs.length, questions: qs }))
  .sort((a, b) => b.count - a.count || a.word.localeCompare(b.word));
if (args.includes('--json')) {
  console.log(
    JSON.stringify(
      {
        questions: questions.length,
        as,
        dataDir,
        statuses: Object.fromEntries(statuses),
        withUnplaced,
        distinctWords: table.length,
        occurrences: table.reduce((n, r) => n + r.count, 0),
        words: table,
        otherQuestionsBack: otherClarify,
        ...(args.includes('--all') ? { answers: every } : {}),
      },
      null,
      2,
    ),
  );
} else {
  for (const r of table) {
    console.log(`${String(r.count).padStart(4)}  ${r.word}`);
    for (const q of r.questions.slice(0, show)) console.log(`        ${q}`);
  }
  if (args.includes('--all'))
    for (const e of every)
      console.log(`${e.status.padEnd(8)} ${e.question}\n         → ${e.said.replace(/\n/g, ' ')}`);
  if (show)
    for (const o of otherClarify.slice(0, show * 10))
      console.log(`  [${o.answer.slice(0, 100).replace(/\n/g, ' ')}]  ${o.question}`);
  console.log(
    `${questions.length} questions as ${as}: ${[...statuses].map(([s, n]) => `${s} ${n}`).join(', ')}; ` +
      `${withUnplaced} with unplaced words (${table.length} distinct words, ${table.reduce((n, r) => n + r.count, 0)} occurrences)`,
  );
}
