// Load-generator process: `node bench/sse/client.js '<json config>'`, spawned by ./harness.js once per
// (target, N). Opens N SSE streams spread over worker threads (./client-worker.js), then fires the target's
// trigger requests one at a time from this thread and times each stream's receipt of the resulting `change`
// event against the moment just before the trigger was sent. Trigger and receipt times come from the same
// per-process monotonic clock (./clock.js). Prints exactly one JSON line on stdout: connect time, per-change
// delivery counts and summaries, and the raw timed latencies (or { error, unavailable? }).
//
// Config: { host, port, n, threads, concurrency, connectTimeoutMs, deliveryTimeoutMs, pauseMs, warmup,
//   stream: { path, headers }, triggers: [{ method, path, headers, body }] } — triggers[0 .. warmup-1] are
//   untimed warm-up changes (delivery still checked), the rest are timed.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sendTrigger as sendTriggerTo } from '../lib/trigger.js';
import { now } from './clock.js';
import { roundMs, summarise } from './stats.js';

const WORKER = fileURLToPath(new URL('./client-worker.js', import.meta.url));
const config = JSON.parse(process.argv[2]);

/** Writes the result line; resolves once it is flushed (a large write to a pipe may finish after exit()). */
function emit(result) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(result) + '\n', () => resolve()));
}

/** Emits and exits with `code` once the line is out. */
async function finish(result, code) {
  await emit(result);
  process.exit(code);
}

/** The soft open-files limit of this process (Linux), or null where /proc is not available. */
function fdLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    return Number(line.split(/\s{2,}/)[1]);
  } catch {
    return null;
  }
}

/** A worker thread holding `count` streams, with a promise per awaited message type. */
class StreamGroup {
  constructor(count) {
    this.count = count;
    this.waiters = new Map();
    this.worker = new Worker(WORKER, {
      workerData: {
        host: config.host,
        port: config.port,
        path: config.stream.path,
        headers: config.stream.headers ?? {},
        count,
        concurrency: Math.max(1, Math.ceil((config.concurrency ?? 256) / (config.threads ?? 1))),
        connectTimeoutMs: config.connectTimeoutMs ?? 60_000,
      },
    });
    this.worker.on('message', (msg) => {
      const waiter = this.waiters.get(msg.type);
      if (waiter) {
        this.waiters.delete(msg.type);
        waiter(msg);
      }
    });
    this.worker.on('error', (err) => {
      void finish({ error: `load-generator thread crashed: ${err.stack ?? err}` }, 1);
    });
  }

  /** Sends `msg` (if any) and resolves with the next message of type `reply`. */
  ask(msg, reply) {
    const answer = new Promise((resolve) => this.waiters.set(reply, resolve));
    if (msg) this.worker.postMessage(msg);
    return answer;
  }

  async close() {
    const closed = await this.ask({ type: 'close' }, 'closed');
    await this.worker.terminate();
    return closed;
  }
}

/** Sends one trigger request to the target. */
const sendTrigger = (trigger) => sendTriggerTo(config.host, config.port, trigger);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const result = { fdLimit: fdLimit(), n: config.n, threads: config.threads };

  // Probe with one stream first, so a missing endpoint costs one request, not N failures.
  const probe = new StreamGroup(1);
  const probed = await probe.ask({ type: 'connect' }, 'connected');
  await probe.close();
  if (probed.failed) {
    const status = Number(Object.keys(probed.statuses)[0]);
    return emit({
      ...result,
      error: `stream ${config.stream.path}: ${probed.firstError}`,
      // No such endpoint (yet) is 'not available', anything else a failure.
      unavailable: [404, 405, 501].includes(status),
    });
  }

  const threads = Math.max(1, Math.min(config.threads ?? 1, config.n));
  const groups = Array.from(
    { length: threads },
    (_, i) => new StreamGroup(Math.floor(config.n / threads) + (i < config.n % threads ? 1 : 0)),
  );
  await Promise.all(groups.map((g) => new Promise((resolve) => g.worker.once('online', resolve))));
  const connectStart = now();
  const connected = await Promise.all(groups.map((g) => g.ask({ type: 'connect' }, 'connected')));
  result.connectMs = Math.max(...connected.map((c) => c.doneAt)) - connectStart;
  result.connected = config.n - connected.reduce((sum, c) => sum + c.failed, 0);
  result.connectError = connected.find((c) => c.firstError)?.firstError ?? null;

  const warmup = config.warmup ?? 0;
  const timed = [];
  result.changes = [];
  for (let i = 0; i < config.triggers.length; i++) {
    // Wait for 'done' before arming: a thread with no open stream answers 'armed' and 'done' back to back.
    const done = Promise.all(groups.map((g) => g.ask(null, 'done')));
    await Promise.all(groups.map((g) => g.ask({ type: 'arm', repeat: i }, 'armed')));
    const ack = sendTrigger(config.triggers[i]);
    const timer = setTimeout(() => {
      for (const g of groups) g.worker.postMessage({ type: 'collect', repeat: i });
    }, config.deliveryTimeoutMs ?? 15_000);
    const [replies, trigger] = await Promise.all([done, ack]);
    clearTimeout(timer);

    const latencies = [];
    const versions = new Map();
    for (const reply of replies) {
      for (const at of reply.times) if (!Number.isNaN(at)) latencies.push(at - trigger.sentAt);
      for (const [v, count] of reply.versions) versions.set(v, (versions.get(v) ?? 0) + count);
    }
    if (i >= warmup) timed.push(...latencies);
    const change = {
      index: i,
      warmup: i < warmup,
      received: latencies.length,
      triggerStatus: trigger.status,
      ackMs: Math.round((trigger.ackAt - trigger.sentAt) * 1000) / 1000,
      versions: [...versions].map(([v, count]) => ({ version: Number.isNaN(v) ? null : v, count })),
      latency: roundMs(summarise(latencies)),
    };
    if (trigger.status < 200 || trigger.status > 299) change.triggerError = trigger.body.slice(0, 300);
    result.changes.push(change);
    process.stderr.write(
      `    change ${i + 1}/${config.triggers.length}${change.warmup ? ' (warm-up)' : ''}: ` +
        `${latencies.length}/${config.n} received, HTTP ${trigger.status}\n`,
    );
    await sleep(config.pauseMs ?? 200);
  }

  const closed = await Promise.all(groups.map((g) => g.close()));
  result.extraEvents = closed.reduce((sum, c) => sum + c.extraEvents, 0);
  result.closedEarly = closed.reduce((sum, c) => sum + c.closedEarly, 0);
  result.latency = roundMs(summarise(timed));
  // Raw timed latencies (µs resolution) so the harness can pool them over rounds.
  result.latencies = timed.map((ms) => Math.round(ms * 1000) / 1000);
  await emit(result);
}

main().then(
  () => process.exit(0),
  (err) => finish({ error: `load generator: ${err.stack ?? err}` }, 1),
);
