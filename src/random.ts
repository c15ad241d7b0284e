// A small seeded PRNG (xoshiro128**, seeded through splitmix32) for initialisation and shuffling.
// Written here rather than imported: it is 30 lines, and its whole state is four u32s we can save.

export class Random {
  private readonly s: Uint32Array;

  constructor(seed: number) {
    // splitmix32 spreads any 32-bit seed over the 128-bit state, never all zero.
    let x = seed >>> 0;
    this.s = new Uint32Array(4).map(() => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    });
  }

  /** A copy of the whole state, to continue this exact stream later with Random.resume. */
  save(): Uint32Array {
    return this.s.slice();
  }

  static resume(state: Uint32Array): Random {
    const random = new Random(0);
    random.s.set(state);
    return random;
  }

  /** A uniform u32. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 2 ** 32;
  }

  /** Standard normal, by Box-Muller (one of the pair; simple over fast). */
  normal(): number {
    const u = 1 - this.uniform(); // (0, 1], so log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [values[i], values[j]] = [values[j], values[i]];
    }
    return values;
  }
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
