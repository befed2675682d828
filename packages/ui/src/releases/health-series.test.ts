import { describe, expect, it } from 'vitest';
import { appendSamples, chartSpecs, latestRows, toChartData } from './health-series.js';
import type { HealthFigures, HealthSample } from './health-types.js';

function figures(ratio: number | null, over: Partial<HealthFigures> = {}): HealthFigures {
  return {
    requests: ratio === null ? 0 : 100,
    successRatio: ratio,
    p95Ms: ratio === null ? null : 120,
    endpoints: { deposit: { requests: 10, successRatio: ratio, p95Ms: 90 } },
    psps: { B: { requests: 5, successRatio: ratio } },
    wsRttP95Ms: 40,
    ...over,
  };
}

function sample(sec: number, stable: number | null, canary: number | null): HealthSample {
  return {
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, sec)).toISOString(),
    stable: figures(stable),
    canary: figures(canary),
  };
}

describe('health series', () => {
  it('appends, dedupes by time and keeps the last window', () => {
    const a = [sample(0, 1, 1), sample(5, 1, 1)];
    const b = [sample(5, 0.5, 0.5), sample(10, 1, 1)];
    const merged = appendSamples(a, b, 5000);
    expect(merged.map((s) => s.at.slice(17, 19))).toEqual(['05', '10']);
    expect(merged[0]?.stable.successRatio).toBe(0.5);
    expect(appendSamples([], [])).toEqual([]);
  });
  it('shapes uPlot arrays with null gaps, in percent', () => {
    const spec = chartSpecs([sample(0, 1, null)])[0];
    expect(spec?.id).toBe('success');
    const data = toChartData([sample(0, 0.99, null), sample(5, 1, 0.5)], spec?.pick ?? (() => null));
    expect(data[0]).toEqual([1735689600, 1735689605]);
    expect(data[1]).toEqual([99, 100]);
    expect(data[2]).toEqual([null, 50]);
  });
  it('has a chart per endpoint and per PSP', () => {
    expect(chartSpecs([sample(0, 1, 1)]).map((s) => s.id)).toEqual([
      'success',
      'endpoint-deposit',
      'p95',
      'psp-B',
      'ws',
    ]);
  });
  it('lists the latest figures', () => {
    const s = sample(0, 0.975, null);
    const rows = latestRows(s, chartSpecs([s]));
    expect(rows[0]).toEqual({ label: 'Requests', stable: '100', canary: '0' });
    expect(rows[1]).toEqual({ label: 'Success ratio, all endpoints', stable: '97.50 %', canary: '—' });
    expect(latestRows(undefined, [])).toEqual([]);
  });
});
