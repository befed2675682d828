// Turns the per-run results into the benchmark's figures: detection rate and time-to-rollback quantiles for
// regressions, false rollbacks per hour for healthy canaries, rollbacks during the shared incident; and checks
// the targets.

/** Nearest-rank quantile of `values` (Infinity = never). */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * @param {{ scenario: string, weight: number, run: number, result: Record<string, { rollbackS: number|null, pausedS?: number, incidentHolds?: number, culprit?: string }> }[]} results
 * @param {Record<string, { horizonS: number, regression: boolean, incident?: { fromS: number, toS: number } }>} scenarios
 * @param {string[]} contestants
 */
export function summarize(results, scenarios, contestants) {
  const groups = new Map();
  for (const r of results) {
    const key = `${r.scenario}|${r.weight}`;
    if (!groups.has(key)) groups.set(key, { scenario: r.scenario, weight: r.weight, runs: [] });
    groups.get(key).runs.push(r.result);
  }
  const rows = [];
  for (const { scenario, weight, runs } of groups.values()) {
    const sc = scenarios[scenario];
    for (const name of contestants) {
      const own = runs.map((r) => r[name]).filter(Boolean);
      if (own.length === 0) continue;
      const times = own.map((r) => (r.rollbackS === null ? Number.POSITIVE_INFINITY : r.rollbackS));
      const rolledBack = times.filter(Number.isFinite).length;
      const hours = own.reduce((h, r) => h + (r.rollbackS ?? sc.horizonS) / 3600, 0);
      const culprits = {};
      for (const r of own) if (r.culprit) culprits[r.culprit] = (culprits[r.culprit] ?? 0) + 1;
      const row = {
        scenario,
        weight,
        contestant: name,
        runs: own.length,
        rolledBack,
        detection: rolledBack / own.length,
        medianS: quantile(times, 0.5),
        p95S: quantile(times, 0.95),
        // Rollbacks per hour of canary observed (a run stops being observed once rolled back).
        perHour: rolledBack / hours,
        perRun: rolledBack / own.length,
        paused: own.filter((r) => r.pausedS !== undefined).length,
        culprits,
      };
      if (sc.incident) {
        const { fromS, toS } = sc.incident;
        row.duringIncident = own.filter(
          (r) => r.rollbackS !== null && r.rollbackS >= fromS && r.rollbackS < toS + 300,
        ).length;
        row.incidentHeld = own.filter((r) => (r.incidentHolds ?? 0) > 0).length;
      }
      rows.push(row);
    }
  }
  return rows;
}

/** The three targets, per Pitboss variant. */
export function targets(rows, variants) {
  const out = [];
  for (const name of variants) {
    const own = rows.filter((r) => r.contestant === name);
    const fast = own.find((r) => r.scenario === 'success-97' && r.weight === 0.05);
    if (fast) {
      out.push({
        contestant: name,
        target: '99.5 → 97 % on a 5 % canary rolled back within 60 s (median)',
        met: fast.medianS <= 60,
        figure: `median ${formatSeconds(fast.medianS)}, p95 ${formatSeconds(fast.p95S)}, ${pct(fast.detection)} detected`,
      });
    }
    const healthy = own.filter((r) => r.scenario === 'healthy');
    if (healthy.length > 0) {
      const worst = healthy.reduce((a, b) => (b.perHour > a.perHour ? b : a));
      out.push({
        contestant: name,
        target: 'false rollbacks ≤ 1 % per hour of healthy canary at every weight',
        met: healthy.every((r) => r.perHour <= 0.01),
        figure:
          healthy.map((r) => `${pct(r.weight, 0)}: ${pct(r.perHour)}/h`).join(', ') +
          ` (worst ${pct(worst.weight, 0)})`,
      });
    }
    const shared = own.filter((r) => r.scenario === 'shared-incident');
    if (shared.length > 0) {
      out.push({
        contestant: name,
        target: 'no rollback in the shared incident beyond the 1 %/h false-rollback rate',
        met: shared.every((r) => r.perRun <= 0.01),
        figure: shared.map((r) => `${pct(r.weight, 0)}: ${r.rolledBack}/${r.runs}`).join(', '),
      });
    }
  }
  return out;
}

export function pct(f, digits = 1) {
  if (!Number.isFinite(f)) return '-';
  return `${Number((f * 100).toFixed(digits))} %`;
}

export function formatSeconds(s) {
  if (Number.isNaN(s)) return '-';
  if (!Number.isFinite(s)) return 'never';
  if (s < 120) return `${s} s`;
  return `${Number((s / 60).toFixed(1))} min`;
}
