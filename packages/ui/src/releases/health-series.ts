import type { HealthFigures, HealthSample } from './health-types.js';

/**
 * Samples → uPlot data: `[x seconds, stable values, canary values]`, `null` where an arm had no requests, so
 * uPlot draws a gap instead of a misleading line to zero.
 */
export type ChartData = [number[], (number | null)[], (number | null)[]];

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly unit: '%' | 'ms';
  readonly pick: (f: HealthFigures) => number | null;
}

/** How much history the charts keep while the stream appends. */
export const KEEP_MS = 10 * 60_000;

/** `existing` plus `incoming`, one sample per time, oldest first, only the last `keepMs` before the newest. */
export function appendSamples(
  existing: readonly HealthSample[],
  incoming: readonly HealthSample[],
  keepMs = KEEP_MS,
): HealthSample[] {
  const byAt = new Map<string, HealthSample>();
  for (const s of [...existing, ...incoming]) byAt.set(s.at, s);
  const sorted = [...byAt.values()].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const newest = sorted[sorted.length - 1];
  if (newest === undefined) return [];
  const from = Date.parse(newest.at) - keepMs;
  return sorted.filter((s) => Date.parse(s.at) >= from);
}

export function toChartData(samples: readonly HealthSample[], pick: ChartSpec['pick']): ChartData {
  return [
    samples.map((s) => Date.parse(s.at) / 1000),
    samples.map((s) => pick(s.stable)),
    samples.map((s) => pick(s.canary)),
  ];
}

const ratio = (r: number | null | undefined) => (r === null || r === undefined ? null : r * 100);

/** The charts to draw: overall success, each endpoint's success, p95, each PSP's deposit success, WS RTT. */
export function chartSpecs(samples: readonly HealthSample[]): ChartSpec[] {
  const endpoints = namesOf(samples, (f) => Object.keys(f.endpoints));
  const psps = namesOf(samples, (f) => Object.keys(f.psps));
  return [
    { id: 'success', title: 'Success ratio, all endpoints', unit: '%', pick: (f) => ratio(f.successRatio) },
    ...endpoints.map(
      (e): ChartSpec => ({
        id: `endpoint-${e}`,
        title: `Success ratio, ${e}`,
        unit: '%',
        pick: (f) => ratio(f.endpoints[e]?.successRatio),
      }),
    ),
    { id: 'p95', title: 'p95 latency', unit: 'ms', pick: (f) => f.p95Ms },
    ...psps.map(
      (p): ChartSpec => ({
        id: `psp-${p}`,
        title: `Deposit success, PSP ${p}`,
        unit: '%',
        pick: (f) => ratio(f.psps[p]?.successRatio),
      }),
    ),
    { id: 'ws', title: 'WebSocket RTT p95', unit: 'ms', pick: (f) => f.wsRttP95Ms },
  ];
}

function namesOf(samples: readonly HealthSample[], keys: (f: HealthFigures) => string[]): string[] {
  const names = new Set<string>();
  for (const s of samples) for (const k of [...keys(s.stable), ...keys(s.canary)]) names.add(k);
  return [...names].sort();
}

export function formatValue(v: number | null | undefined, unit: '%' | 'ms'): string {
  if (v === null || v === undefined) return '—';
  return unit === '%' ? `${v.toFixed(2)} %` : `${Math.round(v)} ms`;
}

export interface LatestRow {
  readonly label: string;
  readonly stable: string;
  readonly canary: string;
}

/** The newest sample as table rows (exact numbers for everyone, and the charts' text alternative). */
export function latestRows(sample: HealthSample | undefined, specs: readonly ChartSpec[]): LatestRow[] {
  if (sample === undefined) return [];
  return [
    { label: 'Requests', stable: String(sample.stable.requests), canary: String(sample.canary.requests) },
    ...specs.map((s) => ({
      label: s.title,
      stable: formatValue(s.pick(sample.stable), s.unit),
      canary: formatValue(s.pick(sample.canary), s.unit),
    })),
  ];
}
