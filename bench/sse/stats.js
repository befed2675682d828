// Latency summaries (milliseconds). Percentiles are nearest-rank: p99 of 10,000 samples is the 9,900th.

/** @param {ArrayLike<number>} values  @returns {{ count: number, min: number, p50: number, p90: number,
 *   p99: number, max: number, mean: number } | null} */
export function summarise(values) {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return null;
  const rank = (q) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))];
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: n,
    min: sorted[0],
    p50: rank(0.5),
    p90: rank(0.9),
    p99: rank(0.99),
    max: sorted[n - 1],
    mean: sum / n,
  };
}

/** Rounds every number in a summary to microseconds, for the JSON results. */
export function roundMs(summary) {
  if (!summary) return summary;
  return Object.fromEntries(
    Object.entries(summary).map(([k, v]) => [k, k === 'count' ? v : Math.round(v * 1000) / 1000]),
  );
}
