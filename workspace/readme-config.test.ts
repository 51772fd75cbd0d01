// The configuration example in README.md is what newcomers copy: it must stay valid.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analystConfigSchema, describeIssues, endpointSchema } from './index.ts';

describe('README configuration example', () => {
  it('parses with the analyst.yaml schema, and its model endpoint with the strict endpoint schema', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const block = /## Configuration[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeTruthy();
    const parsed = analystConfigSchema.safeParse(parse(block as string));
    expect(parsed.success, parsed.success ? '' : describeIssues(parsed.error)).toBe(true);
    if (!parsed.success) return;
    for (const [name, endpoint] of Object.entries(parsed.data.llm.endpoints)) {
      const strict = endpointSchema.safeParse(endpoint);
      expect(strict.success, `${name}: ${strict.success ? '' : describeIssues(strict.error)}`).toBe(true);
    }
  });
});
