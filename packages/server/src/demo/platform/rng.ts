/**
 * Deterministic randomness for the simulated platform and the traffic generator: the same seed gives the same
 * sequence, so a demo run or a test replays exactly. Separate streams (one per purpose) keep a latency draw from
 * shifting the next fault decision.
 */

/** A 32-bit hash of a string (FNV-1a), used to derive independent streams from one seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class Rng {
  private state: number;

  /** `stream` names the purpose ("wallet/v2/faults"), so streams from the same seed are independent. */
  constructor(seed: number, stream = '') {
    this.state = (hash32(`${seed}:${stream}`) ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0 || 0x6d2b79f5;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** One of `weights`' keys, with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [k, w] of entries) {
      r -= w;
      if (r < 0) return k;
    }
    return (entries[entries.length - 1] as [K, number])[0];
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * A latency in ms from a log-normal distribution given its p50 and p95, capped at 3 × p95 so one unlucky
 * draw never looks like a hung request. Service latencies are skewed like this: most fast, a long tail.
 */
export function lognormalMs(rng: Rng, p50: number, p95: number): number {
  const sigma = Math.log(p95 / p50) / 1.6449;
  const ms = p50 * Math.exp(sigma * rng.normal());
  return Math.min(ms, 3 * p95);
}
