/**
 * Seeded PRNG for everything random in the engine (never Math.random).
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, passes
 * PractRand/BigCrush). Chosen because its whole state is four uint32 words, so a checkpoint can
 * save it as plain JSON and a resumed run continues the identical stream.
 *
 * Normal deviates use Box-Muller without caching the second value, so the state stays exactly the
 * four words (each `normal()` consumes two uniforms).
 */

/** The complete state of an Rng: restoring it continues the identical stream. */
export interface RngState {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
}

const TWO_POW_32 = 4294967296;

/** 32-bit avalanche mixer (murmur3 fmix32); used to spread seeds and names over the state. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a seed (any finite integer, negative ok, up to 2^53) and a name into 4 state words. */
function seedWords(seed: number, name: string): [number, number, number, number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`rng seed must be a safe integer, got ${seed}`);
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_POW_32) >>> 0;
  let h1 = fmix32(lo ^ 0x9e3779b9);
  let h2 = fmix32(hi ^ 0x7f4a7c15);
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    h1 = fmix32(h1 ^ Math.imul(ch, 0xcc9e2d51));
    h2 = fmix32(h2 + Math.imul(ch ^ h1, 0x1b873593));
  }
  const words: [number, number, number, number] = [
    fmix32(h1 ^ 0x243f6a88),
    fmix32(h2 ^ 0x85a308d3),
    fmix32((h1 + h2) ^ 0x13198a2e),
    fmix32((h1 ^ (h2 >>> 7)) + name.length + 0x03707344),
  ];
  if ((words[0] | words[1] | words[2]) === 0) words[0] = 1;
  return words;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * `name` selects an independent stream for the same seed (e.g. "init", "sampler", "data");
   * the empty name is the root stream.
   */
  constructor(seed: number, name = "") {
    [this.a, this.b, this.c, this.d] = seedWords(seed, name);
    // Warm up: sfc32's first outputs are weakly mixed from the seed.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  static fromState(state: RngState): Rng {
    const rng = Object.create(Rng.prototype) as Rng;
    rng.setState(state);
    return rng;
  }

  /** Independent child stream, a pure function of (seed, name): does not consume this stream. */
  static derive(seed: number, name: string): Rng {
    return new Rng(seed, name);
  }

  /**
   * Child stream from this stream's current position and a name: consumes two words of this
   * stream, so calling it twice with the same name gives different children.
   */
  fork(name: string): Rng {
    const s = (this.nextUint32() >>> 11) * TWO_POW_32 + this.nextUint32(); // < 2^53
    return new Rng(s, name);
  }

  getState(): RngState {
    return { a: this.a, b: this.b, c: this.c, d: this.d };
  }

  setState(state: RngState): void {
    for (const k of ["a", "b", "c", "d"] as const) {
      const v = state[k];
      if (!Number.isInteger(v) || v < 0 || v >= TWO_POW_32) {
        throw new Error(`invalid rng state word ${k}=${v}`);
      }
    }
    this.a = state.a;
    this.b = state.b;
    this.c = state.c;
    this.d = state.d;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    // Keep stored words unsigned so getState() is canonical.
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, n), unbiased (rejection sampling); 1 <= n <= 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new Error(`rng.int(n) needs an integer 1 <= n <= 2^32, got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number {
    if (hi < lo) throw new Error(`rng.range: hi ${hi} < lo ${lo}`);
    return lo + this.int(hi - lo + 1);
  }

  /** Standard normal N(0, 1) (Box-Muller, two uniforms per call). */
  normal(): number {
    // 1 - next() is in (0, 1], so the log is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** One element chosen uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("rng.pick from an empty array");
    return items[this.int(items.length)];
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}
