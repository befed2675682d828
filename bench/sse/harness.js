// SSE fan-out benchmark driver: for each stream count N and each target, starts the target's server in its own
// process, runs the load generator (./client.js) in another, and checks that every stream received every
// change. No printing here (see ./run.js), so the vitest smoke test can call it too.
import { fileURLToPath } from 'node:url';
import { deliveryProblems } from '../lib/delivery-checks.js';
import { median } from '../lib/table.js';
import { FD_OVERHEAD, fdLimits, spawnNode, tail } from './proc.js';
import { roundMs, summarise } from './stats.js';
import { TARGETS as ADAPTERS, FLOOR, REFERENCE } from './targets/index.js';
import { TargetUnavailable } from './targets/unavailable.js';

export const DEFAULTS = {
  sizes: [1_000, 10_000],
  rounds: 3,
  repeats: 5,
  warmup: 2,
  threads: 1,
  concurrency: 256,
  deliveryTimeoutMs: 15_000,
  connectTimeoutMs: 120_000,
  pauseMs: 200,
};
/** Pitboss's p99 change-to-receipt latency at most this multiple of the floor's, at every N. */
export const TARGETS = { maxP99VsFloor: 1.3 };

const CLIENT = fileURLToPath(new URL('./client.js', import.meta.url));

/**
 * For each N, `rounds` rounds; each round runs every target once (fresh server and load generator processes),
 * starting with a different target each round so a slow spell on this shared VM does not land on one target.
 * A row pools the timed receipts of all its rounds: p50/p99/max over N × repeats × rounds latencies.
 * @param {{ sizes?: number[], rounds?: number, repeats?: number, warmup?: number, only?: string[],
 *   threads?: number, concurrency?: number, deliveryTimeoutMs?: number, connectTimeoutMs?: number,
 *   pauseMs?: number, onProgress?: (msg: string) => void, onStderr?: (who: string, text: string) => void }}
 *   [options]
 */
export async function runBench(options = {}) {
  const opts = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const only = opts.only?.length ? opts.only : null;
  if (only) {
    const unknown = only.filter((name) => !ADAPTERS.some((t) => t.name === name));
    if (unknown.length) throw new Error(`unknown target(s): ${unknown.join(', ')}`);
  }
  const adapters = ADAPTERS.filter((t) => !only || only.includes(t.name));
  const limits = fdLimits();
  const unavailable = new Map(); // a target that cannot start will not start at the next size either

  const runs = [];
  for (const n of opts.sizes) {
    const needed = n + FD_OVERHEAD;
    /** @type {Map<string, object[]>} */
    const rounds = new Map(adapters.map((a) => [a.name, []]));
    for (let round = 0; round < opts.rounds; round++) {
      const order = adapters.map((_, i) => adapters[(i + round) % adapters.length]);
      for (const adapter of order) {
        const label = `${adapter.name}, ${n.toLocaleString('en-US')} streams, round ${round + 1}/${opts.rounds}`;
        let result;
        if (limits.children !== null && limits.children < needed) {
          result = {
            status: 'skipped',
            error: `open-files limit ${limits.children} < ${needed} needed per process`,
          };
        } else if (unavailable.has(adapter.name)) {
          result = { status: 'unavailable', error: unavailable.get(adapter.name) };
        } else {
          opts.onProgress?.(label);
          result = await runOnce(adapter, n, opts);
          if (result.status === 'unavailable') unavailable.set(adapter.name, result.error);
        }
        rounds.get(adapter.name).push(result);
      }
    }
    for (const adapter of adapters) runs.push(aggregate(adapter.name, n, rounds.get(adapter.name)));
  }

  addRatios(runs);
  return {
    suite: 'sse',
    date: new Date().toISOString(),
    node: process.version,
    options: {
      sizes: opts.sizes,
      rounds: opts.rounds,
      repeats: opts.repeats,
      warmup: opts.warmup,
      threads: opts.threads,
      concurrency: opts.concurrency,
      deliveryTimeoutMs: opts.deliveryTimeoutMs,
      only,
    },
    fdLimits: limits,
    floor: FLOOR,
    runs,
    summary: summary(runs, opts.sizes),
    ok: runs.every((r) => r.status !== 'failed'),
  };
}

/** One target at one N: start its server, run the load generator against it, stop the server. */
async function runOnce(adapter, n, opts) {
  let target;
  try {
    target = await adapter.start();
  } catch (err) {
    return { status: err instanceof TargetUnavailable ? 'unavailable' : 'failed', error: err.message };
  }
  try {
    const result = await runClient(adapter.name, target, n, opts);
    return { version: target.version, ...check(result, n, opts), latencies: result.latencies ?? [] };
  } finally {
    await target.stop();
  }
}

/** One table row from a target's rounds at one N; the raw latencies are pooled, then dropped. */
function aggregate(target, n, rounds) {
  const row = { target, n };
  const bad = rounds.find((r) => r.status !== 'ok');
  if (bad && rounds.every((r) => !r.changes)) return { ...row, status: bad.status, error: bad.error };
  const measured = rounds.filter((r) => r.changes);
  const latencies = measured.flatMap((r) => r.latencies);
  return {
    ...row,
    status: bad ? 'failed' : 'ok',
    ...(bad
      ? { error: rounds.length > 1 ? `round ${rounds.indexOf(bad) + 1}: ${bad.error}` : bad.error }
      : {}),
    version: measured[0].version,
    connectMs: median(measured.map((r) => r.connectMs)),
    connected: Math.min(...measured.map((r) => r.connected)),
    latency: roundMs(summarise(latencies)),
    received: measured.reduce((sum, r) => sum + r.received, 0),
    expected: rounds.length * measured[0].expected,
    minReceivedPerChange: Math.min(...rounds.map((r) => r.minReceivedPerChange ?? 0)),
    extraEvents: measured.reduce((sum, r) => sum + r.extraEvents, 0),
    fdLimit: measured[0].fdLimit,
    rounds: rounds.map(({ latencies: _, ...r }) => r),
  };
}

function runClient(name, target, n, opts) {
  const triggers = Array.from({ length: opts.warmup + opts.repeats }, (_, i) => target.trigger(i));
  const config = {
    host: target.host,
    port: target.port,
    n,
    threads: opts.threads,
    concurrency: opts.concurrency,
    connectTimeoutMs: opts.connectTimeoutMs,
    deliveryTimeoutMs: opts.deliveryTimeoutMs,
    pauseMs: opts.pauseMs,
    warmup: opts.warmup,
    stream: target.stream,
    triggers,
  };
  return new Promise((resolve) => {
    const child = spawnNode([CLIENT, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = tail(child.stdout, 1_000_000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => opts.onStderr?.(name, text));
    child.on('close', (code, signal) => {
      const line = stdout().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        const out = stdout();
        resolve({
          error:
            `load generator exited ${signal ?? code} without a result` +
            (out ? ` (${out.length} chars of output, ending '${out.slice(-120)}')` : ''),
        });
      }
    });
  });
}

/** Turns the load generator's report into a table row; every stream must receive every change. */
function check(result, n, opts) {
  if (result.error) {
    return { status: result.unavailable ? 'unavailable' : 'failed', error: result.error };
  }
  const changes = result.changes;
  const expectedChanges = opts.warmup + opts.repeats;
  const problems = [];
  if (result.connected < n) {
    problems.push(`${n - result.connected}/${n} streams failed to open (${result.connectError})`);
  }
  problems.push(...deliveryProblems(changes, n));
  const received = changes.reduce((sum, c) => sum + c.received, 0);
  return {
    status: problems.length ? 'failed' : 'ok',
    ...(problems.length ? { error: problems.join('; ') } : {}),
    connectMs: result.connectMs,
    connected: result.connected,
    latency: result.latency,
    received,
    expected: n * expectedChanges,
    minReceivedPerChange:
      changes.length === expectedChanges ? Math.min(...changes.map((c) => c.received)) : 0,
    extraEvents: result.extraEvents,
    fdLimit: result.fdLimit,
    changes,
  };
}

function addRatios(runs) {
  for (const r of runs) {
    const floor = runs.find((f) => f.target === FLOOR && f.n === r.n);
    if (r.latency && floor?.latency) r.p99VsFloor = r.latency.p99 / floor.latency.p99;
  }
}

function summary(runs, sizes) {
  const mine = runs.filter((r) => r.target === REFERENCE);
  const out = { target: REFERENCE, maxP99VsFloor: TARGETS.maxP99VsFloor, status: 'not run', bySize: [] };
  if (!mine.length) return out;
  out.bySize = sizes.map((n) => {
    const r = mine.find((x) => x.n === n);
    return { n, status: r?.status, p99: r?.latency?.p99, p99VsFloor: r?.p99VsFloor };
  });
  const statuses = new Set(mine.map((r) => r.status));
  out.status = statuses.size === 1 ? [...statuses][0] : [...statuses].join('/');
  out.allDelivered = mine.every((r) => r.status === 'ok');
  out.meetsTarget =
    out.allDelivered &&
    out.bySize.every((s) => s.p99VsFloor !== undefined && s.p99VsFloor <= TARGETS.maxP99VsFloor);
  return out;
}
