import { describe, expect, it } from 'vitest';
import {
  ANALYST_TOOL_ARGS,
  ANALYST_TOOL_NAMES,
  analystToolDefinition,
  isAnalystToolName,
  toCubeQuery,
} from './tools.ts';

describe('analyst tools', () => {
  it('are exactly five, each with a JSON Schema every provider accepts (no tuples, unions or $schema)', () => {
    expect(ANALYST_TOOL_NAMES).toEqual([
      'search_semantic_model',
      'run_semantic_query',
      'run_governed_sql',
      'ask_clarifying_question',
      'submit_interpretation',
    ]);
    for (const name of ANALYST_TOOL_NAMES) {
      const def = analystToolDefinition(name);
      expect(def.type).toBe('function');
      expect(def.function.name).toBe(name);
      expect(def.function.parameters.type).toBe('object');
      const text = JSON.stringify(def.function.parameters);
      expect(text).not.toContain('$schema');
      expect(text).not.toContain('prefixItems');
      // Gemini's function declarations take no unions.
      expect(text).not.toMatch(/"(anyOf|oneOf|allOf)"/);
    }
    expect(analystToolDefinition('run_governed_sql').function.parameters.required).toEqual(['sql']);
  });

  it('validate arguments strictly', () => {
    expect(ANALYST_TOOL_ARGS.run_governed_sql.safeParse({ sql: 'SELECT 1', drop: true }).success).toBe(false);
    expect(ANALYST_TOOL_ARGS.run_semantic_query.safeParse({ limit: 0 }).success).toBe(false);
    expect(ANALYST_TOOL_ARGS.ask_clarifying_question.safeParse({ question: 'Which year?' }).success).toBe(
      true,
    );
    expect(isAnalystToolName('run_governed_sql')).toBe(true);
    expect(isAnalystToolName('web_search')).toBe(false);
    expect(isAnalystToolName({ name: 'run_governed_sql' })).toBe(false);
  });

  it('turn semantic query arguments into Cube REST queries', () => {
    expect(
      toCubeQuery({
        measures: ['encounters.count'],
        timeDimensions: [
          { dimension: 'encounters.start', granularity: 'month', dateRange: ['2019-01-01', '2019-12-31'] },
          { dimension: 'encounters.stop', dateRange: ['last year'] },
          { dimension: 'encounters.start' },
        ],
        order: [{ member: 'encounters.count', direction: 'desc' }],
        limit: 5,
      }),
    ).toEqual({
      measures: ['encounters.count'],
      timeDimensions: [
        { dimension: 'encounters.start', granularity: 'month', dateRange: ['2019-01-01', '2019-12-31'] },
        { dimension: 'encounters.stop', dateRange: 'last year' },
        { dimension: 'encounters.start' },
      ],
      order: [['encounters.count', 'desc']],
      limit: 5,
    });
  });
});
