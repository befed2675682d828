// Deterministic evaluation contexts for the flag benchmark.
// Every process (one per implementation and round) regenerates the same contexts from the same seed, so
// all implementations see identical players without shipping a 1M-element fixture between processes.

export const MARKETS = ['DE', 'SE', 'UK', 'MT', 'FI', 'NO'];
export const BRANDS = ['X', 'Y', 'Z'];
export const EMPLOYEE_RATE = 0.01;
export const ROLLOUT_MARKETS = ['DE', 'SE'];
export const ROLLOUT = 0.25;
export const DEFAULT_SEED = 0x5eed_f1a6;

/**
 * Analytic ON fraction: P(rollout market) * 25 % plus, for everyone else, P(brand X) * P(employee).
 * = 2/6 * 0.25 + (1/3 * 0.01) * (1 - 2/6 * 0.25) ≈ 0.08639
 */
export const EXPECTED_ON_FRACTION = (() => {
  const rollout = (ROLLOUT_MARKETS.length / MARKETS.length) * ROLLOUT;
  const employees = (1 / BRANDS.length) * EMPLOYEE_RATE;
  return rollout + employees * (1 - rollout);
})();

/** mulberry32: tiny, fast, good enough for workload generation (not for crypto). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Build `n` Pitboss-shaped contexts: `{ user: { id, isEmployee }, market, brand }`. */
export function makeContexts(n, seed = DEFAULT_SEED) {
  const rand = mulberry32(seed);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const market = MARKETS[Math.floor(rand() * MARKETS.length)];
    const brand = BRANDS[Math.floor(rand() * BRANDS.length)];
    const isEmployee = rand() < EMPLOYEE_RATE;
    out[i] = { user: { id: 'p-' + i, isEmployee }, market, brand };
  }
  return out;
}
