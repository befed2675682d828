/**
 * A small seeded random source for simulations (the property tests and the detection benchmark): the same seed
 * gives the same traffic on every machine, so false-alarm rates and detection times are reproducible.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Poisson with mean `mean` (inversion below 30, a rounded normal above). */
  poisson(mean: number): number;
  /** Binomial(n, p): exact for small n, otherwise through the normal or Poisson approximation. */
  binomial(n: number, p: number): number;
  lognormal(mu: number, sigma: number): number;
}

/** mulberry32, the generator the flags benchmark uses. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = 1 - next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  const poisson = (mean: number) => {
    if (!(mean > 0)) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let p = next();
    while (p > limit) {
      k++;
      p *= next();
    }
    return k;
  };
  const binomial = (n: number, p: number) => {
    if (n <= 0 || p <= 0) return 0;
    if (p >= 1) return n;
    if (n <= 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (next() < p) k++;
      return k;
    }
    const mean = n * p;
    if (mean < 30 || n * (1 - p) < 30) {
      return p <= 0.5 ? Math.min(n, poisson(mean)) : n - Math.min(n, poisson(n * (1 - p)));
    }
    return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * normal())));
  };
  return { next, normal, poisson, binomial, lognormal: (mu, sigma) => Math.exp(mu + sigma * normal()) };
}
