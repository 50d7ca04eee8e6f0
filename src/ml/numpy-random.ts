/**
 * numpy's legacy `RandomState(seed)`: MT19937 seeded with `init_genrand`, and the exact draws numpy makes for
 * `random_sample`, `uniform`, `randint` (int64, masked rejection sampling), `shuffle`, `permutation` and
 * `choice`. Reproducing these lets resamplers equal imbalanced-learn's output draw for draw.
 * Sources: numpy `random/src/mt19937/mt19937.c`, `random/src/distributions/distributions.c`
 * (`random_bounded_uint64_fill`, `random_interval`) and `random/mtrand.pyx`.
 */
export class RandomState {
  private readonly mt = new Uint32Array(624);
  private pos = 624;

  /** @param seed an integer in [0, 2^32) like `np.random.RandomState(seed)` */
  constructor(seed = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error(`invalid seed: ${seed} (expected an integer in [0, 2^32))`);
    }
    const mt = this.mt;
    let s = seed >>> 0;
    for (let i = 0; i < 624; ++i) {
      mt[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = 624;
  }

  private generate(): void {
    const mt = this.mt;
    let y: number;
    let i = 0;
    for (; i < 624 - 397; ++i) {
      y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + 397] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; i < 623; ++i) {
      y = (mt[i] & 0x80000000) | (mt[i + 1] & 0x7fffffff);
      mt[i] = mt[i + (397 - 624)] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    y = (mt[623] & 0x80000000) | (mt[0] & 0x7fffffff);
    mt[623] = mt[396] ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.pos = 0;
  }

  /** The next raw 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.pos === 624) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A double in [0, 1) built from two 32-bit outputs (53 bits), as `random_sample()`. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `size` doubles of `uniform(low, high, size)`: low + (high − low)·u. */
  uniform(size: number, low = 0, high = 1): Float64Array {
    const out = new Float64Array(size);
    const range = high - low;
    for (let i = 0; i < size; ++i) out[i] = low + range * this.randomSample();
    return out;
  }

  /**
   * `randint(low, high, size)` with numpy's default int64 dtype: integers in [low, high) drawn by masked
   * rejection sampling (32-bit draws when high − low − 1 fits in 32 bits, 64-bit draws otherwise).
   * @param high exclusive upper bound; high − low must be at most 2^53
   */
  randint(low: number, high: number, size: number): Float64Array {
    if (!(high > low)) throw new Error(`invalid randint range: [${low}, ${high})`);
    const rng = high - low - 1;
    if (rng > 2 ** 53) throw new Error(`invalid randint range: ${high - low} (expected at most 2^53)`);
    const out = new Float64Array(size);
    if (rng === 0) {
      out.fill(low);
    } else if (rng === 0xffffffff) {
      for (let i = 0; i < size; ++i) out[i] = low + this.nextUint32();
    } else if (rng < 0xffffffff) {
      const mask = mask32(rng);
      for (let i = 0; i < size; ++i) {
        let v: number;
        do v = (this.nextUint32() & mask) >>> 0;
        while (v > rng);
        out[i] = low + v;
      }
    } else {
      for (let i = 0; i < size; ++i) out[i] = low + this.masked64(rng);
    }
    return out;
  }

  /** `random_interval(max)`: an integer in [0, max] by masked rejection, as used by `shuffle`. */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      const mask = mask32(max);
      let v: number;
      do v = (this.nextUint32() & mask) >>> 0;
      while (v > max);
      return v;
    }
    return this.masked64(max);
  }

  /** In-place Fisher–Yates shuffle exactly as legacy `shuffle(x)` on a 1-d array. */
  shuffle(x: { length: number; [i: number]: number }): void {
    for (let i = x.length - 1; i > 0; --i) {
      const j = this.interval(i);
      const t = x[i];
      x[i] = x[j];
      x[j] = t;
    }
  }

  /** `permutation(n)`: a shuffled `0..n-1`. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; ++i) p[i] = i;
    this.shuffle(p);
    return p;
  }

  /**
   * `choice(a, size, replace)` without probabilities: with replacement `a[randint(0, len(a), size)]`, without
   * replacement the first `size` entries of `a[permutation(len(a))]`.
   */
  choice(a: ArrayLike<number>, size: number, replace = true): Int32Array {
    const n = a.length;
    const out = new Int32Array(size);
    if (replace) {
      if (n === 0 && size > 0) throw new Error("invalid choice: empty population");
      const idx = size > 0 ? this.randint(0, n, size) : new Float64Array(0);
      for (let i = 0; i < size; ++i) out[i] = a[idx[i]];
    } else {
      if (size > n) throw new Error(`invalid choice: size ${size} > population ${n} without replacement`);
      const perm = this.permutation(n);
      for (let i = 0; i < size; ++i) out[i] = a[perm[i]];
    }
    return out;
  }

  /** Masked 64-bit rejection draw in [0, rng] for rng < 2^53 (the high word is drawn first). */
  private masked64(rng: number): number {
    const hiMax = Math.floor(rng / 4294967296);
    const hiMask = mask32(hiMax);
    for (;;) {
      const hi = (this.nextUint32() & hiMask) >>> 0;
      const lo = this.nextUint32();
      const v = hi * 4294967296 + lo;
      if (v <= rng) return v;
    }
  }
}

/** The smallest all-ones bit mask ≥ max (max < 2^32). */
function mask32(max: number): number {
  let m = max >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}
