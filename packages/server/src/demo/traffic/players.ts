/**
 * The player population: markets DE SE UK MT FI NO in realistic proportions, the brands each market plays,
 * exactly 1 % employees (the first rollout step's segment) and a few VIPs who move ten times the money.
 * Generated from the seed, so the same seed gives the same players.
 */
import { lognormalMs, Rng } from '../platform/rng.js';
import type { Psp } from '../platform/scenarios.js';
import type { Market, TrafficSummary } from './index.js';

export interface Player {
  readonly id: string;
  readonly market: Market;
  readonly brand: string;
  readonly employee: boolean;
  readonly vip: boolean;
  /** The PSP this player usually pays with. */
  readonly psp: Psp;
}

const MARKET_WEIGHTS: Readonly<Record<Market, number>> = { DE: 28, UK: 24, SE: 18, FI: 12, NO: 12, MT: 6 };

const BRANDS: Readonly<Record<Market, readonly string[]>> = {
  DE: ['spielhaus', 'northstar'],
  UK: ['lionbet', 'northstar'],
  SE: ['nordicspin', 'northstar'],
  FI: ['nordicspin'],
  NO: ['fjordplay', 'nordicspin'],
  MT: ['northstar', 'lionbet'],
};

// PSP B carries about a third of deposits everywhere, so a fault there shows up in every market.
const PSP_WEIGHTS: Readonly<Record<Psp, number>> = { A: 45, B: 35, C: 20 };

export function createPopulation(seed: number, runId: string, size: number): Player[] {
  const rng = new Rng(seed, 'population');
  const employees = pickDistinct(rng, size, Math.max(1, Math.round(size * 0.01)));
  const vips = pickDistinct(rng, size, Math.max(1, Math.round(size * 0.02)));
  const players: Player[] = [];
  for (let i = 0; i < size; i++) {
    const market = rng.weighted(MARKET_WEIGHTS);
    players.push({
      id: `${runId}-${market}-${String(i).padStart(5, '0')}`,
      market,
      brand: rng.pick(BRANDS[market]),
      employee: employees.has(i),
      vip: vips.has(i),
      psp: rng.weighted(PSP_WEIGHTS),
    });
  }
  return players;
}

export function describePopulation(players: readonly Player[]): TrafficSummary['population'] {
  const byMarket: Record<Market, number> = { DE: 0, SE: 0, UK: 0, MT: 0, FI: 0, NO: 0 };
  for (const p of players) byMarket[p.market]++;
  return {
    size: players.length,
    employees: players.filter((p) => p.employee).length,
    vips: players.filter((p) => p.vip).length,
    byMarket,
  };
}

/** The headers the gateway builds its request context from. */
export function playerHeaders(p: Player): Record<string, string> {
  return { 'x-player-id': p.id, 'x-market': p.market, 'x-brand': p.brand, 'x-employee': String(p.employee) };
}

/** A deposit in cents: around 30 € (VIPs around 1,000 €), rounded to whole euros. */
export function depositAmount(rng: Rng, p: Player): number {
  const euros = p.vip ? lognormalMs(rng, 1000, 4000) : lognormalMs(rng, 30, 120);
  return Math.max(10, Math.round(euros)) * 100;
}

/** A stake in cents: around 1 € (VIPs around 25 €). */
export function stakeAmount(rng: Rng, p: Player): number {
  const euros = p.vip ? lognormalMs(rng, 25, 150) : lognormalMs(rng, 1, 5);
  return Math.max(10, Math.round(euros * 10) * 10);
}

function pickDistinct(rng: Rng, size: number, count: number): Set<number> {
  const picked = new Set<number>();
  while (picked.size < Math.min(count, size)) picked.add(rng.int(0, size - 1));
  return picked;
}
