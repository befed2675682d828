// Gateway benchmark driver: per round, one upstream process (stable + canary listeners), then for each target
// (rotated order) a fresh proxy process, a split check by one load-generator process and, when it passes, the
// timed phases (closed-loop throughput, then open-loop latency at a fixed rate) by another. No printing here
// (see ./run.js), so the vitest test can call it too.
import { fileURLToPath } from 'node:url';
import { median } from '../lib/table.js';
import { spawnNode, tail } from '../sse/proc.js';
import { CANARY_WEIGHT, checkSplit } from './split.js';
import { TARGETS as ADAPTERS, BARE, BASELINE, NGINX, REFERENCE } from './targets/index.js';
import { startNodeChild, TargetUnavailable } from './targets/spawn.js';

export const DEFAULTS = {
  rounds: 3,
  durationMs: 10_000,
  warmupMs: 2_000,
  rate: 2_000,
  connections: 64,
  splitRequests: 10_000,
  players: 10_000,
  weight: CANARY_WEIGHT,
};
/** The issue's targets for Pitboss, relative to the bare Node proxy. */
export const GOALS = { minThroughputVsBare: 0.8, maxP99AddedVsBare: 1.5 };

const UPSTREAM = fileURLToPath(new URL('./upstream-server.js', import.meta.url));
const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));

/**
 * @param {{ rounds?: number, durationMs?: number, warmupMs?: number, rate?: number, connections?: number,
 *   splitRequests?: number, players?: number, weight?: number, only?: string[], timed?: boolean,
 *   onProgress?: (msg: string) => void }} [options] `timed: false` runs the split checks only
 */
export async function runBench(options = {}) {
  const opts = {
    ...DEFAULTS,
    timed: true,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const only = opts.only?.length ? opts.only : null;
  if (only) {
    const unknown = only.filter((name) => !ADAPTERS.some((t) => t.name === name));
    if (unknown.length) throw new Error(`unknown target(s): ${unknown.join(', ')}`);
  }
  const adapters = ADAPTERS.filter((t) => !only || only.includes(t.name));
  const unavailable = new Map(); // a target that cannot start will not start next round either
  /** @type {Map<string, object[]>} */
  const rounds = new Map(adapters.map((a) => [a.name, []]));

  for (let round = 0; round < opts.rounds; round++) {
    const upstream = await startNodeChild('upstream', UPSTREAM);
    try {
      const order = adapters.map((_, i) => adapters[(i + round) % adapters.length]);
      for (const adapter of order) {
        let result;
        if (unavailable.has(adapter.name)) {
          result = { status: 'unavailable', error: unavailable.get(adapter.name) };
        } else {
          opts.onProgress?.(`${adapter.name}, round ${round + 1}/${opts.rounds}`);
          result = await runOnce(adapter, upstream, opts);
          if (result.status === 'unavailable') unavailable.set(adapter.name, result.error);
        }
        rounds.get(adapter.name).push({ round: round + 1, ...result });
      }
    } finally {
      await upstream.stop();
    }
  }

  const runs = adapters.map((a) => aggregate(a.name, rounds.get(a.name)));
  addComparisons(runs);
  return {
    suite: 'gateway',
    date: new Date().toISOString(),
    node: process.version,
    options: {
      rounds: opts.rounds,
      durationMs: opts.durationMs,
      warmupMs: opts.warmupMs,
      rate: opts.rate,
      connections: opts.connections,
      splitRequests: opts.splitRequests,
      players: opts.players,
      weight: opts.weight,
      only,
    },
    goals: GOALS,
    runs,
    summary: summary(runs),
    ok: runs.every((r) => r.status !== 'failed'),
  };
}

/** One target, one round: start it, check its split, time it, stop it. */
async function runOnce(adapter, upstream, opts) {
  const { stable, canary } = upstream.info;
  let target;
  try {
    target = await adapter.start({ stable, canary, weight: opts.weight });
  } catch (err) {
    return { status: err instanceof TargetUnavailable ? 'unavailable' : 'failed', error: err.message };
  }
  const out = { version: target.version, answered: 0 };
  let stopReport;
  try {
    const base = {
      host: target.host,
      port: target.port,
      connections: opts.connections,
      players: opts.players,
    };
    if (adapter.splits) {
      const res = await loadgen({ ...base, splitRequests: opts.splitRequests }, 60_000);
      if (res.error) return { ...out, status: 'failed', error: `split check: ${res.error}` };
      out.answered += res.answered;
      const check = checkSplit(res.split, { requests: opts.splitRequests, weight: opts.weight });
      out.split = {
        canaryPercent: check.canaryPercent,
        versions: res.split.versions,
        problems: check.problems,
      };
      if (!check.ok) return { ...out, status: 'failed', error: `split check: ${check.problems.join('; ')}` };
    }
    if (!opts.timed) return { ...out, status: 'ok' };
    const phaseMs = opts.warmupMs + opts.durationMs;
    const res = await loadgen(
      {
        ...base,
        closed: { warmupMs: opts.warmupMs, durationMs: opts.durationMs },
        open: { rate: opts.rate, warmupMs: opts.warmupMs, durationMs: opts.durationMs },
        watchPids: [target.pid ?? upstream.pid, upstream.pid],
      },
      2 * phaseMs + 60_000,
    );
    if (res.error) return { ...out, status: 'failed', error: res.error };
    out.answered += res.answered;
    Object.assign(out, timedResult(res, !target.pid));
    return out;
  } finally {
    stopReport = await target.stop();
    if (stopReport?.recorded) out.metricsRecorded = stopReport.recorded;
  }
}

/** The timed phases' figures, and a failure when any request failed or answered non-2xx. */
function timedResult(res, noProxyProcess) {
  const { closed, open } = res;
  const bad = (phase) =>
    phase.errors +
    Object.entries(phase.statuses)
      .filter(([s]) => !s.startsWith('2'))
      .reduce((sum, [, n]) => sum + n, 0);
  const failures = bad(closed) + bad(open) + open.unanswered;
  const sample = closed.errorSample ?? open.errorSample;
  const cpu = (phase) =>
    phase.cpu && {
      loadgen: phase.cpu.loadgen,
      proxy: noProxyProcess ? undefined : phase.cpu.byPid[0],
      upstream: phase.cpu.byPid[1],
    };
  return {
    status: failures ? 'failed' : 'ok',
    ...(failures
      ? { error: `${failures} failed, non-2xx or unanswered requests${sample ? ` (${sample})` : ''}` }
      : {}),
    rps: closed.rps,
    closedRequests: closed.completed,
    failures,
    latency: open.latency,
    timerLag: open.timerLag,
    connectionWait: open.connectionWait,
    openRequests: open.requests,
    maxInFlight: open.maxInFlight,
    cpuClosed: cpu(closed),
    cpuOpen: cpu(open),
    reconnects: res.reconnects,
    recycled: res.recycled,
  };
}

/** Runs the load generator in its own process; resolves with its JSON report or `{ error }`. */
function loadgen(config, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawnNode([LOADGEN, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = tail(child.stdout, 100_000);
    const stderr = tail(child.stderr);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({
          error: `load generator exited ${signal ?? code} without a result: ${stderr() || stdout()}`,
        });
      }
    });
  });
}

/** One table row from a target's rounds: medians of the per-round figures. */
function aggregate(target, rounds) {
  const row = { target };
  const measured = rounds.filter((r) => r.rps !== undefined);
  const bad = rounds.find((r) => r.status !== 'ok');
  if (!measured.length) {
    const split = rounds.find((r) => r.split)?.split;
    if (!bad) return { ...row, status: 'ok', version: rounds[0]?.version, split, rounds };
    return { ...row, status: bad.status, error: bad.error, version: bad.version, split, rounds };
  }
  const med = (f) => median(measured.map(f));
  const splits = rounds.filter((r) => r.split).map((r) => r.split.canaryPercent);
  return {
    ...row,
    status: bad ? 'failed' : 'ok',
    ...(bad ? { error: `round ${bad.round}: ${bad.error}` } : {}),
    version: measured[0].version,
    rps: med((r) => r.rps),
    rpsMin: Math.min(...measured.map((r) => r.rps)),
    rpsMax: Math.max(...measured.map((r) => r.rps)),
    p50: med((r) => r.latency.p50),
    p99: med((r) => r.latency.p99),
    p99Min: Math.min(...measured.map((r) => r.latency.p99)),
    p99Max: Math.max(...measured.map((r) => r.latency.p99)),
    timerLagP99: med((r) => r.timerLag?.p99 ?? Number.NaN),
    connectionWaitP99: med((r) => r.connectionWait?.p99 ?? Number.NaN),
    canaryPercent: splits.length ? median(splits) : undefined,
    cpuClosed: medianCpu(measured.map((r) => r.cpuClosed)),
    cpuOpen: medianCpu(measured.map((r) => r.cpuOpen)),
    metricsRecorded: sumRecorded(rounds),
    answered: rounds.reduce((sum, r) => sum + (r.answered ?? 0), 0),
    rounds: rounds.map(({ latency, timerLag, connectionWait, ...r }) => ({
      ...r,
      p50: latency?.p50,
      p99: latency?.p99,
      max: latency?.max,
      timerLagP99: timerLag?.p99,
      connectionWaitP99: connectionWait?.p99,
    })),
  };
}

function medianCpu(list) {
  const present = list.filter(Boolean);
  if (!present.length) return undefined;
  const pick = (k) => {
    const values = present.map((c) => c[k]).filter((v) => Number.isFinite(v));
    return values.length ? median(values) : undefined;
  };
  return { loadgen: pick('loadgen'), proxy: pick('proxy'), upstream: pick('upstream') };
}

function sumRecorded(rounds) {
  const recorded = rounds.filter((r) => r.metricsRecorded);
  if (!recorded.length) return undefined;
  const total = {};
  for (const r of recorded) {
    for (const [v, n] of Object.entries(r.metricsRecorded)) total[v] = (total[v] ?? 0) + n;
  }
  return total;
}

/**
 * Added latency: per round, the target's p50/p99 minus the direct path's in the same round (they ran minutes
 * apart at most, against the same upstream process); the row shows the median over rounds. Ratios compare the
 * medians.
 */
function addComparisons(runs) {
  const baseline = runs.find((r) => r.target === BASELINE);
  const bare = runs.find((r) => r.target === BARE);
  const nginx = runs.find((r) => r.target === NGINX);
  for (const r of runs) {
    if (r.rps === undefined) continue;
    if (baseline?.rps !== undefined && r.target !== BASELINE) {
      const diffs = (q) =>
        r.rounds
          .map((x) => [x, baseline.rounds.find((b) => b.round === x.round)])
          .filter(([x, b]) => x[q] !== undefined && b?.[q] !== undefined)
          .map(([x, b]) => x[q] - b[q]);
      const p50s = diffs('p50');
      const p99s = diffs('p99');
      if (p50s.length) r.addedP50 = median(p50s);
      if (p99s.length) {
        r.addedP99 = median(p99s);
        r.addedP99Min = Math.min(...p99s);
        r.addedP99Max = Math.max(...p99s);
      }
    }
    if (bare?.rps) r.rpsVsBare = r.rps / bare.rps;
    if (nginx?.rps) r.rpsVsNginx = r.rps / nginx.rps;
  }
  for (const r of runs) {
    if (r.addedP99 !== undefined && bare?.addedP99 !== undefined)
      r.addedP99VsBare = r.addedP99 / bare.addedP99;
  }
}

function summary(runs) {
  const mine = runs.find((r) => r.target === REFERENCE);
  const out = { target: REFERENCE, goals: GOALS, status: mine?.status ?? 'not run' };
  if (!mine || mine.rps === undefined) return out;
  out.rpsVsBare = mine.rpsVsBare;
  out.rpsVsNginx = mine.rpsVsNginx;
  out.addedP99 = mine.addedP99;
  out.addedP99VsBare = mine.addedP99VsBare;
  out.throughputMet = mine.rpsVsBare !== undefined ? mine.rpsVsBare >= GOALS.minThroughputVsBare : undefined;
  out.latencyMet =
    mine.addedP99VsBare !== undefined ? mine.addedP99VsBare <= GOALS.maxP99AddedVsBare : undefined;
  return out;
}
