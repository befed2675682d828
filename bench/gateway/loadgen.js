// The load generator: `node bench/gateway/loadgen.js '<config JSON>'`, one process per target and round, so it
// competes for the 2 cores with the proxy under test like any client on the same machine would. Prints one JSON
// line with the results of its phases, in order:
//   split   `splitRequests` requests, each from a distinct player the timed phases never use, on up to 32
//           connections; responses counted by the upstream's `x-version` header (the correctness check);
//   closed  maximum throughput: every connection sends its next request as soon as the previous answer ended,
//           for warm-up + duration; 2xx answers that ended inside the timed window count;
//   open    `rate` requests/s on a fixed schedule (./open-loop.js) for warm-up + duration, latency from each
//           request's intended send time (coordinated-omission corrected); warm-up requests are not recorded.
//           Every timed request counts in the percentiles: a non-2xx answer or a transport error with the time
//           it took (and in the error counts), one never answered with the time it had waited at the end.
// Players of the timed phases cycle through `players` ids, so sticky proxies see returning players.
import { fileURLToPath } from 'node:url';
import { summarise } from '../sse/stats.js';
import { Connection } from './connection.js';
import { cpuWindow } from './cpu.js';
import { correctedLatency, OpenLoopSchedule } from './open-loop.js';
import { encodeRequest, playerId } from './split.js';

const DRAIN_MS = 5_000;
const now = () => performance.now();

/**
 * @param {{ host: string, port: number, connections: number, players?: number, splitRequests?: number,
 *   closed?: { warmupMs: number, durationMs: number }, open?: { rate: number, warmupMs: number,
 *   durationMs: number }, watchPids?: number[] }} config  watchPids: processes whose CPU share is reported
 *   for each timed window (the proxy, the upstreams), beside the load generator's own
 */
export async function runLoad(config) {
  const { host, port } = config;
  const players = config.players ?? 10_000;
  const timedRequests = Array.from({ length: players }, (_, i) =>
    encodeRequest(host, port, playerId('p', i), i),
  );
  const pool = await openPool(host, port, config.connections);
  const out = {};
  try {
    if (config.splitRequests) {
      const requests = Array.from({ length: config.splitRequests }, (_, i) =>
        encodeRequest(host, port, playerId('split', i), i),
      );
      out.split = await splitPhase(pool, requests, Math.min(32, pool.length));
    }
    const watch = config.watchPids ?? [];
    if (config.closed) out.closed = await closedPhase(pool, timedRequests, config.closed, watch);
    if (config.open) out.open = await openPhase(pool, timedRequests, config.open, watch);
  } finally {
    for (const c of pool.conns) c.close();
  }
  out.reconnects = pool.conns.reduce((sum, c) => sum + c.reconnects, 0);
  out.recycled = pool.conns.reduce((sum, c) => sum + c.recycled, 0);
  out.answered = pool.answered;
  return out;
}

/** Opens `n` connections; each phase installs its own handlers through `pool.handlers`. */
async function openPool(host, port, n) {
  const pool = { conns: [], handlers: null, length: n, answered: 0 };
  for (let i = 0; i < n; i++) {
    pool.conns.push(
      new Connection({
        host,
        port,
        onResponse: (conn, ctx, r) => {
          pool.answered++;
          pool.handlers.response(conn, ctx, r);
        },
        onFailure: (conn, ctx, error) => pool.handlers.failure(conn, ctx, error),
        onReady: (conn) => pool.handlers.ready(conn),
      }),
    );
  }
  await Promise.all(pool.conns.map((c) => c.open()));
  return pool;
}

/** Counts of one phase's answers. */
function tally() {
  return { versions: {}, statuses: {}, errors: 0, errorSample: undefined };
}
function count(t, r) {
  const version = r.version ?? '(none)';
  t.versions[version] = (t.versions[version] ?? 0) + 1;
  t.statuses[r.status] = (t.statuses[r.status] ?? 0) + 1;
}
function countError(t, error) {
  t.errors++;
  t.errorSample ??= error;
}

function splitPhase(pool, requests, concurrency) {
  return new Promise((resolve) => {
    const t = tally();
    let next = 0;
    let done = 0;
    const sendNext = (conn) => {
      if (next < requests.length && conn.usable(now())) conn.send(requests[next], next++);
    };
    const finish = () => {
      if (++done === requests.length) resolve({ requests: requests.length, ...t });
    };
    pool.handlers = {
      response: (conn, _ctx, r) => {
        count(t, r);
        finish();
        sendNext(conn);
      },
      failure: (_conn, _ctx, error) => {
        countError(t, error);
        finish();
      },
      ready: sendNext,
    };
    for (const conn of pool.conns.slice(0, concurrency)) sendNext(conn);
  });
}

function closedPhase(pool, requests, { warmupMs, durationMs }, watch) {
  return new Promise((resolve) => {
    const t = tally();
    let next = 0;
    let counting = false;
    let running = true;
    let inFlight = 0;
    let completed = 0;
    let windowStart = 0;
    let windowEnd = 0;
    let cpu;
    let cpuShares;
    const sendNext = (conn) => {
      if (!running || !conn.usable(now())) return;
      inFlight++;
      conn.send(requests[next], 0);
      next = (next + 1) % requests.length;
    };
    const maybeDone = () => {
      if (!running && inFlight === 0) finish();
    };
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      const seconds = (windowEnd - windowStart) / 1000;
      resolve({ completed, seconds, rps: completed / seconds, cpu: cpuShares, ...t });
    };
    pool.handlers = {
      response: (conn, _ctx, r) => {
        inFlight--;
        if (counting) {
          count(t, r);
          if (r.status >= 200 && r.status < 300) completed++;
        }
        sendNext(conn);
        maybeDone();
      },
      failure: (_conn, _ctx, error) => {
        inFlight--;
        if (counting) countError(t, error);
        maybeDone();
      },
      ready: sendNext,
    };
    for (const conn of pool.conns) sendNext(conn);
    setTimeout(() => {
      counting = true;
      windowStart = now();
      cpu = cpuWindow(watch);
    }, warmupMs);
    setTimeout(() => {
      counting = false;
      running = false;
      windowEnd = now();
      cpuShares = cpu.end();
      maybeDone();
      setTimeout(finish, DRAIN_MS).unref();
    }, warmupMs + durationMs);
  });
}

function openPhase(pool, requests, { rate, warmupMs, durationMs }, watch) {
  return new Promise((resolve) => {
    const warmupCount = Math.round((rate * warmupMs) / 1000);
    const timedCount = Math.round((rate * durationMs) / 1000);
    const total = warmupCount + timedCount;
    const schedule = new OpenLoopSchedule({ rate, total, startMs: now() + 5 });
    const latencies = new Float64Array(timedCount).fill(Number.NaN);
    const timerLag = new Float64Array(timedCount);
    const connectionWait = new Float64Array(timedCount);
    const t = tally();
    const idle = pool.conns.filter((c) => c.ready);
    let inFlight = 0;
    let maxInFlight = 0;
    let maxQueued = 0;
    let finished = false;
    let cpu;
    let cpuShares;

    const pump = () => {
      if (finished) return;
      const at = now();
      schedule.poll(at);
      maxQueued = Math.max(maxQueued, schedule.queued);
      while (schedule.queued > 0 && idle.length > 0) {
        const conn = idle.pop(); // most recently used first: the hottest socket
        if (!conn.usable(at)) continue; // closed or stale: it comes back through `ready`
        const item = schedule.take();
        if (item.index >= warmupCount) {
          timerLag[item.index - warmupCount] = item.polled - item.intended;
          connectionWait[item.index - warmupCount] = now() - item.polled;
        }
        inFlight++;
        conn.send(requests[item.index % requests.length], item);
      }
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (schedule.exhausted && schedule.queued === 0 && inFlight === 0) finish();
    };
    const record = (item, done) => {
      if (item.index >= warmupCount)
        latencies[item.index - warmupCount] = correctedLatency(item.intended, done);
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      cpuShares ??= cpu?.end();
      // A request still unanswered at the end of the drain counts with the latency it had reached then.
      const end = now();
      let unanswered = 0;
      for (let i = 0; i < timedCount; i++) {
        if (Number.isNaN(latencies[i])) {
          unanswered++;
          latencies[i] = end - (schedule.startMs + ((warmupCount + i) * 1000) / rate);
        }
      }
      resolve({
        rate,
        requests: timedCount,
        unanswered,
        latency: summarise(latencies),
        timerLag: summarise(timerLag),
        connectionWait: summarise(connectionWait),
        maxInFlight,
        maxQueued,
        cpu: cpuShares,
        ...t,
      });
    };
    pool.handlers = {
      response: (conn, item, r) => {
        const done = now();
        inFlight--;
        if (item.index >= warmupCount) {
          count(t, r);
          record(item, done);
        }
        idle.push(conn);
        pump();
      },
      failure: (_conn, item, error) => {
        inFlight--;
        if (item.index >= warmupCount) {
          countError(t, error);
          record(item, now());
        }
        pump();
      },
      ready: (conn) => {
        idle.push(conn);
        pump();
      },
    };
    // Timers fire at ~1 ms granularity; answers arriving in between also pump, so at 2,000 req/s most requests
    // leave within a fraction of a millisecond of their intended time (the send lag is reported).
    const timer = setInterval(pump, 1);
    // CPU shares over the timed part of the schedule (warm-up excluded).
    setTimeout(() => {
      cpu = cpuWindow(watch);
    }, warmupMs + 5);
    setTimeout(
      () => {
        cpuShares = cpu?.end();
      },
      warmupMs + 5 + durationMs,
    );
    setTimeout(finish, (total * 1000) / rate + DRAIN_MS).unref();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const config = JSON.parse(process.argv[2]);
  runLoad(config).then(
    (result) => {
      process.stdout.write(JSON.stringify(result) + '\n');
      process.exit(0);
    },
    (err) => {
      process.stdout.write(JSON.stringify({ error: err.message }) + '\n');
      process.exit(1);
    },
  );
}
