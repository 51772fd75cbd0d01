import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { limitProcessMemory, parseByteSize, processMemoryBytes } from './process-memory.ts';

describe('server.limits.process_memory', () => {
  it('reads sizes, auto and off, and refuses anything else', () => {
    expect(parseByteSize('6GB')).toBe(6e9);
    expect(parseByteSize('1.5 GiB')).toBe(1.5 * 2 ** 30);
    expect(parseByteSize('lots')).toBeUndefined();
    expect(processMemoryBytes('off')).toBeUndefined();
    expect(processMemoryBytes('auto')).toBeLessThanOrEqual(Math.floor(totalmem() * 0.75));
    expect(() => processMemoryBytes('6 bananas')).toThrow(/auto, off or a size/);
  });

  it('refuses to go on when an explicit limit cannot be applied, and says why under auto', async () => {
    const missing = { prlimit: '/nonexistent/prlimit' };
    await expect(limitProcessMemory('2GB', missing)).rejects.toMatchObject({
      code: 'PROCESS_MEMORY_LIMIT_FAILED',
    });
    const auto = await limitProcessMemory('auto', missing);
    expect(auto.applied).toBe(false);
    expect(auto.reason).toBeTruthy();
  });
});
