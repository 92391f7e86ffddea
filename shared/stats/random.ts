/**
 * A small, fast, seeded pseudo-random generator (sfc32 seeded through splitmix32), so that anything
 * resampled is identical run to run and machine to machine for the same seed.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** A Poisson(lambda) variate. */
  poisson(lambda: number): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log(k!) by Stirling's series above a small table; exact enough for the PTRS acceptance test. */
const LOG_FACTORIALS = (() => {
  const table = [0];
  for (let k = 1; k < 16; k += 1) table.push(table[k - 1]! + Math.log(k));
  return table;
})();
function logFactorial(k: number): number {
  if (k < LOG_FACTORIALS.length) return LOG_FACTORIALS[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** A seeded generator; the same seed always gives the same sequence. */
export function createRandom(seed: number): Random {
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  // Warm up so that nearby seeds do not start from correlated states.
  for (let i = 0; i < 12; i += 1) next();

  const poisson = (lambda: number): number => {
    if (!(lambda > 0)) return 0;
    if (lambda < 10) {
      // Knuth's product method: cheap for small means.
      const limit = Math.exp(-lambda);
      let k = 0;
      let product = next();
      while (product > limit) {
        k += 1;
        product *= next();
      }
      return k;
    }
    // Hörmann's PTRS transformed rejection (1993): exact, O(1) expected draws for any large mean.
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const bb = 0.931 + 2.53 * slam;
    const aa = -0.059 + 0.02483 * bb;
    const invalpha = 1.1239 + 1.1328 / (bb - 3.4);
    const vr = 0.9277 - 3.6224 / (bb - 2);
    for (;;) {
      const u = next() - 0.5;
      const v = next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * aa) / us + bb) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      const lhs = Math.log(v) + Math.log(invalpha) - Math.log(aa / (us * us) + bb);
      if (lhs <= -lambda + k * loglam - logFactorial(k)) return k;
    }
  };
  return { next, poisson };
}

/** A whole number in [min, max] (both inclusive), uniformly. */
export function randomInteger(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

/** A draw from the exponential distribution of the given rate (mean 1/rate): Poisson inter-arrival times. */
export function randomExponential(random: Random, rate: number): number {
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -Math.log(1 - random.next()) / rate;
}
