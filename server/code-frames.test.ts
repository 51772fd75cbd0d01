import { describe, expect, it } from 'vitest';
import { codeFrames } from './app.ts';

describe('codeFrames', () => {
  it('keeps the code locations of a stack and never its message', () => {
    const err = new TypeError('Cannot read properties of undefined (patient 999-13-6813)');
    const frames = codeFrames(err.stack);
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.length).toBeLessThanOrEqual(3);
    expect(frames.join('\n')).toContain('code-frames.test.ts');
    expect(frames.join('\n')).not.toContain('999-13-6813');
    expect(codeFrames(undefined)).toEqual([]);
    // A message spread over lines stays out too: only "at …" lines are frames.
    expect(codeFrames('Error: a\nsecret line\n    at f (/x.ts:1:2)')).toEqual(['f (/x.ts:1:2)']);
  });
});
