import { describe, expect, it } from 'vitest';
import { type DemoOptions, MAX_JOURNEYS, trafficOptions } from './orchestrator.js';

const base = { rate: 16, speed: 3, journeys: 'full' } as DemoOptions;

describe('trafficOptions', () => {
  it('plays rate × speed journeys per second, denser as time is compressed', () => {
    const t = trafficOptions('http://gw', base, 7);
    expect(t.playersPerSecond! * t.speed).toBe(48);
    expect(t).toMatchObject({ gatewayUrl: 'http://gw', seed: 7, speed: 3 });
    expect(t.steps).toBeUndefined();
  });

  it('never more than one machine plays beside the platform', () => {
    const full = trafficOptions('http://gw', { ...base, speed: 30 }, 1);
    expect(full.playersPerSecond! * full.speed).toBeCloseTo(MAX_JOURNEYS.full);
    const payments = trafficOptions('http://gw', { ...base, speed: 30, journeys: 'payments' }, 1);
    expect(payments.playersPerSecond! * payments.speed).toBeCloseTo(MAX_JOURNEYS.payments);
    expect(payments.steps).toEqual({ bets: false, promo: false, ws: false });
  });
});
