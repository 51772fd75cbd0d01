// Knowledge is data: no table or column name of the bundled Synthea model appears as a string in
// the agent's code (tests aside). Synthea
// wording belongs in the model's YAML (synonyms, descriptions, value synonyms).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLED_SYNTHEA_MODEL } from '../semantic/index.ts';

const AGENT = fileURLToPath(new URL('.', import.meta.url));
/**
 * Names that are plain English as well (or Safe Harbor identifier kinds, such as ssn and age, which
 * the PHI boundary knows for any model); a string equal to one of them says nothing about the model.
 */
const ENGLISH = new Set(
  `id name code description start stop date type category title city state zip address gender race
  count value year first last prefix suffix phone revenue income quantity reason severity system
  encounter patient provider organization payer ssn age`.split(/\s+/),
);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function modelNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.yml')) {
        const doc = parse(readFileSync(join(dir, e.name), 'utf8')) as {
          cubes?: Array<{ name: string; sql_table?: string; dimensions?: Array<{ name: string }> }>;
        };
        for (const c of doc.cubes ?? []) {
          names.add(c.name);
          if (c.sql_table) names.add(c.sql_table);
          for (const d of c.dimensions ?? []) names.add(d.name);
        }
      }
    }
  };
  walk(BUNDLED_SYNTHEA_MODEL);
  return new Set([...names].filter((n) => !ENGLISH.has(n)));
}

describe('agent code names no member of the bundled model', () => {
  it('has no string literal equal to a Synthea table or column name', () => {
    const names = modelNames();
    expect(names.has('encounters')).toBe(true);
    const found: string[] = [];
    for (const file of files(AGENT)) {
      const rel = relative(AGENT, file);
      if (rel.endsWith('.test.ts') || rel.includes('/testing/')) continue;
      // Comments explain with examples; only code counts.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
      for (const m of code.matchAll(/(['"`])([a-z_][a-z0-9_.]*)\1/g)) {
        const s = m[2] as string;
        for (const part of [s, ...s.split('.')]) if (names.has(part)) found.push(`${rel}: ${s}`);
      }
    }
    expect(found).toEqual([]);
  });
});
