/**
 * A seeded random source (sfc32): the same seed gives the same export, byte for byte, on every
 * machine. Not for anything secret.
 *
 * @example const rng = createRandom(42); rng.int(0, 9); rng.uuid();
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Pick by weight: `[[item, weight], …]`. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
  normal(mean: number, sd: number): number;
  /** Poisson-distributed count with the given mean (small means). */
  poisson(mean: number): number;
  /** A random version-4-shaped UUID (Synthea's ids look like this). */
  uuid(): string;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function createRandom(seed: number): Random {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ (seed * 31);
  let c = 0xb7e15162 ^ (seed * 17);
  let d = (seed | 0) + 1;
  const u32 = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 15; i++) u32();
  const next = () => u32() / 4294967296;
  // Hex digits of 32 and 16 bits from a table of bytes (`toString(16).padStart` cost 4 µs a uuid).
  const hex8 = (n: number) =>
    HEX2[n >>> 24]! + HEX2[(n >>> 16) & 255]! + HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
  const hex4 = (n: number) => HEX2[(n >>> 8) & 255]! + HEX2[n & 255]!;
  const rng: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted: (items) => {
      let total = 0;
      for (const [, w] of items) total += w;
      let r = next() * total;
      for (const [item, w] of items) {
        r -= w;
        if (r < 0) return item;
      }
      return items[items.length - 1]![0];
    },
    normal: (mean, sd) => {
      const u = Math.max(1e-12, next());
      return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    poisson: (mean) => {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    uuid: () => {
      const x = u32();
      const y = u32();
      const z = u32();
      const w = u32();
      return `${hex8(x)}-${hex4(y >>> 16)}-${hex4(y & 0xffff)}-${hex4(z >>> 16)}-${hex4(z & 0xffff)}${hex8(w)}`;
    },
  };
  return rng;
}
