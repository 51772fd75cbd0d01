import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { VerifiedQueryStore } from '../agent/index.ts';
import { type EvalEnvironmentSpec, environmentSchema, type Suite, suiteSchema } from './case-schema.ts';
import { EvalSuiteError } from './errors.ts';

/** The suites shipped with the product. */
export const DEFAULT_EVALS_DIR = dirname(fileURLToPath(import.meta.url));

async function readYamlFile<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new EvalSuiteError('SUITE_NOT_FOUND', `Cannot read ${path}.`, { cause });
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (cause) {
    throw new EvalSuiteError('SUITE_INVALID', `${basename(path)} is not valid YAML.`, { cause });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EvalSuiteError(
      'SUITE_INVALID',
      `${basename(path)}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/**
 * Read `suites/*.yaml` under `dir` (or only the suites named in `only`), validated, with ids unique
 * across all of them.
 *
 * @example const suites = await loadSuites(DEFAULT_EVALS_DIR, ['accuracy-aggregates']);
 */
export async function loadSuites(dir = DEFAULT_EVALS_DIR, only?: readonly string[]): Promise<Suite[]> {
  const suitesDir = join(dir, 'suites');
  const files = (await readdir(suitesDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const wanted = only?.length ? new Set(only) : undefined;
  const suites: Suite[] = [];
  for (const f of files) {
    const name = f.replace(/\.ya?ml$/, '');
    if (wanted && !wanted.has(name)) continue;
    suites.push(await readYamlFile(join(suitesDir, f), suiteSchema));
  }
  if (wanted) {
    const found = new Set(files.map((f) => f.replace(/\.ya?ml$/, '')));
    const unknown = [...wanted].filter((w) => !found.has(w));
    if (unknown.length) {
      throw new EvalSuiteError(
        'SUITE_NOT_FOUND',
        `No suite ${unknown.join(', ')} in ${suitesDir}. Suites: ${[...found].join(', ') || '(none)'}.`,
      );
    }
  }
  if (!suites.length) throw new EvalSuiteError('SUITE_NOT_FOUND', `No suites in ${suitesDir}.`);
  const seen = new Set<string>();
  for (const s of suites) {
    for (const c of s.cases) {
      if (seen.has(c.id)) throw new EvalSuiteError('SUITE_INVALID', `Case id ${c.id} appears twice.`);
      seen.add(c.id);
    }
  }
  return suites;
}

/** Read environment.yaml under `dir`: the clock, users and planted rows. */
export function loadEnvironmentSpec(dir = DEFAULT_EVALS_DIR): Promise<EvalEnvironmentSpec> {
  return readYamlFile(join(dir, 'environment.yaml'), environmentSchema);
}

/** The name `--suite` gives the workspace's verified queries. */
export const VERIFIED_SUITE = 'verified';

/**
 * The model's verified queries (`<modelDir>/verified_queries/*.yaml`) as a suite: each question is
 * asked as `as`, and its answer compared with the verified query's own result under the same
 * user's policies (a semantic query through the layer, SQL through the gate). A broken file fails
 * the suite with its name and why; no verified queries is a clear error.
 *
 * @example const suite = await loadVerifiedSuite('model');
 */
export async function loadVerifiedSuite(modelDir: string, as = 'analyst'): Promise<Suite> {
  const store = new VerifiedQueryStore(modelDir);
  const { queries, problems } = await store.list();
  if (problems.length) throw new EvalSuiteError('SUITE_INVALID', problems.map((p) => p.message).join('\n'));
  if (!queries.length)
    throw new EvalSuiteError(
      'SUITE_NOT_FOUND',
      `No verified queries in ${store.dir}. Save one with "Save as verified" or POST /v1/verified-queries.`,
    );
  return {
    suite: VERIFIED_SUITE,
    description: `The verified queries of ${modelDir}`,
    as,
    cases: queries.map((v) => ({
      id: `verified.${v.file
        .replace(/^.*\//, '')
        .replace(/\.ya?ml$/, '')
        .toLowerCase()
        .replace(/[^a-z0-9._-]/g, '-')}`,
      category: 'accuracy' as const,
      as,
      question: v.question,
      expect: {
        status: 'ok' as const,
        ...(v.query
          ? { query: v.query as Record<string, unknown>, gold_as: as }
          : { governed_sql: v.sql as string }),
        ordered: false,
        direction: 'desc' as const,
      },
      tolerance: 0.001,
      tags: ['verified', `by:${v.author}`],
      levels: ['none' as const, 'deidentified' as const],
    })),
  };
}
