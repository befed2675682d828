// Runs the detection benchmark: for each scenario × canary weight, `runs` seeded runs of simulated traffic,
// every contestant judging the same traffic in simulated time (no waiting). Jobs are spread over worker threads;
// every run's seed depends only on (scenario, weight, run), so results do not depend on the worker count.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  ArgoContestant,
  FlaggerContestant,
  loadPitboss,
  PITBOSS_VARIANTS,
  PitbossContestant,
} from './contestants.js';
import { scenarios } from './scenarios.js';
import { SimulatedProvider, SLOT_MS, Traffic } from './traffic.js';

export const CONTESTANTS = ['pitboss', 'pitboss-cmp', 'pitboss-slo', 'argo', 'flagger'];
export const WEIGHTS = [0.01, 0.05, 0.25];
export const DEFAULTS = { runs: 200, healthyRuns: 1_000, seed: 20_261_127 };

const DIST = new URL('../../packages/server/dist/', import.meta.url);

/** FNV-1a over the job's identity: the seed of one run. */
export function runSeed(base, scenario, weight, run) {
  let h = 0x811c9dc5 ^ base;
  for (const ch of `${scenario}|${weight}|${run}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Everything a worker needs, loaded once. */
export async function loadEnvironment(tuning = {}) {
  const [{ createRandom }, { LATENCY_BUCKETS_MS }, { histogramQuantile }, { parseBuiltinQuery }, pitboss] =
    await Promise.all([
      import(new URL('analysis/statistics/random.js', DIST).href),
      import(new URL('gateway/traffic-stats.js', DIST).href),
      import(new URL('analysis/providers/builtin.js', DIST).href),
      import(new URL('analysis/providers/builtin-query.js', DIST).href),
      loadPitboss(tuning),
    ]);
  const bounds = LATENCY_BUCKETS_MS;
  return {
    createRandom,
    bounds,
    histogramQuantile,
    tools: { parseBuiltinQuery, histogramQuantile, bounds, parsed: new Map() },
    pitboss,
    scenarios: scenarios(bounds),
  };
}

/**
 * One run: returns, per contestant, the second (after the canary start) it rolled back, or null; for Pitboss
 * also whether it paused (an undecided or inconclusive verdict) and for how many measurements a shared incident
 * held it.
 */
export async function runOne(env, { scenario, weight, run, seed, only }) {
  const sc = env.scenarios[scenario];
  const traffic = new Traffic(env.createRandom(runSeed(seed, scenario, weight, run)), {
    weight,
    slots: Math.ceil((sc.horizonS * 1000) / SLOT_MS),
    bounds: env.bounds,
    arm: sc.arm,
  });
  const start = traffic.startMs;
  const result = Object.fromEntries(only.map((name) => [name, { rollbackS: null }]));
  const contestants = [];
  const pitbossNames = only.filter((n) => n in PITBOSS_VARIANTS);
  if (pitbossNames.length > 0) {
    const provider = new SimulatedProvider(traffic, env.tools);
    contestants.push(new PitbossContestant(env.pitboss, provider, start, pitbossNames));
  }
  if (only.includes('argo'))
    contestants.push(Object.assign(new ArgoContestant(traffic, start), { name: 'argo' }));
  if (only.includes('flagger')) {
    const flagger = new FlaggerContestant(traffic, start, env.histogramQuantile, env.bounds);
    contestants.push(Object.assign(flagger, { name: 'flagger' }));
  }
  let active = contestants;
  for (let tS = 0; tS <= sc.horizonS && active.length > 0; tS += SLOT_MS / 1000) {
    const now = start + tS * 1000;
    traffic.advanceTo(now);
    for (const c of active) {
      if (!c.dueAt(now)) continue;
      const outcome = await c.tick(now);
      if (c instanceof PitbossContestant) {
        for (const v of c.variants) {
          if (v.outcome === 'rollback' && result[v.name].rollbackS === null) {
            result[v.name] = { rollbackS: tS, culprit: v.culprit };
          } else if (v.outcome === 'paused' && result[v.name].pausedS === undefined)
            result[v.name].pausedS = tS;
        }
      } else if (outcome === 'rollback') result[c.name].rollbackS = tS;
    }
    active = active.filter((c) =>
      c instanceof PitbossContestant ? c.active.length > 0 : c.outcome === undefined,
    );
  }
  for (const c of contestants) {
    if (c instanceof PitbossContestant)
      for (const v of c.variants) result[v.name].incidentHolds = v.incidentHolds;
  }
  return result;
}

/** The job list: one entry per (scenario, weight, run). */
export function jobs(options) {
  const list = [];
  for (const scenario of options.scenarios) {
    const runs = scenario === 'healthy' ? options.healthyRuns : options.runs;
    for (const weight of options.weights)
      for (let run = 0; run < runs; run++) list.push({ scenario, weight, run });
  }
  return list;
}

/**
 * @param {{ runs?: number, healthyRuns?: number, seed?: number, weights?: number[], scenarios?: string[],
 *   only?: string[], workers?: number, tuning?: { tolerance?: number, intervalMs?: number },
 *   onProgress?: (done: number, total: number) => void }} options
 * @returns {Promise<{ options: object, results: { scenario: string, weight: number, run: number, result: object }[] }>}
 */
export async function runDetection(options = {}) {
  const names = Object.keys(scenarios([100]));
  const o = {
    runs: options.runs ?? DEFAULTS.runs,
    healthyRuns: options.healthyRuns ?? DEFAULTS.healthyRuns,
    seed: options.seed ?? DEFAULTS.seed,
    weights: options.weights ?? WEIGHTS,
    scenarios: options.scenarios ?? names,
    only: options.only ?? CONTESTANTS,
    tuning: options.tuning ?? {},
  };
  for (const s of o.scenarios)
    if (!names.includes(s)) throw new Error(`unknown scenario '${s}' (${names.join(', ')})`);
  for (const c of o.only) if (!CONTESTANTS.includes(c)) throw new Error(`unknown contestant '${c}'`);
  const list = jobs(o);
  const workers = Math.max(
    1,
    Math.min(options.workers ?? Math.min(2, os.availableParallelism()), list.length),
  );
  // Round-robin slices keep the slow (hour-long) jobs spread evenly.
  const slices = Array.from({ length: workers }, (_, w) => list.filter((_, i) => i % workers === w));
  let done = 0;
  const parts = await Promise.all(
    slices.map(
      (slice) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(new URL('./worker.js', import.meta.url), {
            workerData: { jobs: slice, seed: o.seed, only: o.only, tuning: o.tuning },
            // A larger young generation: measurements allocate many short-lived objects.
            resourceLimits: { maxYoungGenerationSizeMb: 48 },
          });
          worker.on('message', (m) => {
            if (!m.progress) return resolve(m.results);
            done += m.progress;
            options.onProgress?.(done, list.length);
          });
          worker.on('error', reject);
          worker.on(
            'exit',
            (code) => code !== 0 && reject(new Error(`detection worker exited with ${code}`)),
          );
        }),
    ),
  );
  return { options: o, results: parts.flat() };
}
