import { describe, expect, it } from 'vitest';
import { Rng } from '../platform/rng.js';
import { createPopulation, depositAmount, describePopulation, playerHeaders } from './players.js';

describe('player population', () => {
  it('is the same for the same seed and different for another', () => {
    expect(createPopulation(7, 'r', 500)).toEqual(createPopulation(7, 'r', 500));
    expect(createPopulation(8, 'r', 500)).not.toEqual(createPopulation(7, 'r', 500));
  });

  it('has exactly 1 % employees, a few VIPs, every market and the run id in every player id', () => {
    const players = createPopulation(3, 'run9', 2000);
    const d = describePopulation(players);
    expect(d.employees).toBe(20);
    expect(d.vips).toBe(40);
    expect(Object.values(d.byMarket).every((n) => n > 50)).toBe(true);
    expect(d.byMarket.DE).toBeGreaterThan(d.byMarket.MT);
    expect(players.every((p) => p.id.startsWith('run9-'))).toBe(true);
    expect(new Set(players.map((p) => p.id)).size).toBe(2000);
    expect(new Set(players.map((p) => p.psp))).toEqual(new Set(['A', 'B', 'C']));
  });

  it('gives VIPs larger deposits and every request the context headers', () => {
    const players = createPopulation(3, 'r', 2000);
    const vip = players.find((p) => p.vip);
    const regular = players.find((p) => !p.vip);
    if (!vip || !regular) throw new Error('population without VIPs or regular players');
    const rng = new Rng(1, 'amounts');
    const mean = (p: typeof vip) => {
      let sum = 0;
      for (let i = 0; i < 500; i++) sum += depositAmount(rng, p);
      return sum / 500;
    };
    expect(mean(vip)).toBeGreaterThan(10 * mean(regular));
    const employee = players.find((p) => p.employee);
    expect(employee && playerHeaders(employee)).toMatchObject({
      'x-player-id': employee?.id,
      'x-market': employee?.market,
      'x-brand': employee?.brand,
      'x-employee': 'true',
    });
  });
});
