/** A source of uniform numbers in [0, 1), like `Math.random` but reproducible from a seed. */
export type Random = () => number;

/**
 * A seeded pseudo-random generator (mulberry32: 32-bit state, fast, good enough for resampling and
 * synthetic data; not for cryptography). The same seed always gives the same sequence.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number in [min, max] (both inclusive), uniformly. */
export function randomInteger(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** A draw from the exponential distribution of the given rate (mean 1/rate): Poisson inter-arrival times. */
export function randomExponential(random: Random, rate: number): number {
  // 1 - u is in (0, 1], so the logarithm is finite.
  return -Math.log(1 - random()) / rate;
}
