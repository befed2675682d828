import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from './index.js';

// The decision log under load: a Node client evaluating 1,000,000 times per second of its own clock for 10 s
// (the `clock` option; the evaluations run as fast as they can, yielding to the event loop every client
// millisecond, so the test takes a few real seconds), posting to a local node:http server that implements
// `POST /sdk/v1/decisions` and counts every decision it accepts. Nothing here asserts on wall-clock speed.
// The rate limit is per flag and second, so each second's decisions arrive as one burst at its start: the
// log must post batch after batch until less than one is left (it once posted one batch per burst, then waited
// for the timer, and lost 20 % of these decisions with a healthy server).

const FLAGS = 10;
const RATE = 500; // maxPerFlagPerSecond: 10 flags × 500 = 5,000 decisions per second of client clock
const SECONDS = 10;
const EVALS_PER_MS = 1_000; // 1,000,000 evaluations per second of client clock
const MAX_QUEUE = 10_000; // the default: two seconds of decisions
const OPTIONS = { maxPerFlagPerSecond: RATE, flushIntervalMs: 1_000, maxBatch: 1_000, maxQueue: MAX_QUEUE };
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const SDK_KEY = 'pb_sdk_load_test';
// Every flag serves two variants (DE on, UK off): the first decision of each is kept whatever the rate.
const FIRSTS = 2;
const EXPECTED_KEPT = FLAGS * (FIRSTS + RATE * SECONDS);
const MB = 1024 * 1024;

const config = {
  schemaVersion: 1,
  environments: ['prod'],
  flags: Array.from({ length: FLAGS }, (_, i) => ({
    feature: `load_${i}`,
    rules: [{ if: "market in ['DE','SE']", rollout: 1 }],
    kill_switch: false,
  })),
};
const CONTEXTS = [
  { user: { id: 'p-1' }, market: 'DE' },
  { user: { id: 'p-2' }, market: 'UK' },
];

/** A forced full GC, if V8 lets this worker expose one. */
const gc = (() => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

/** The control plane's decision endpoint, as small as it gets; `failing` answers 503 (an outage). */
class DecisionSink {
  accepted = 0;
  unavailable = 0;
  batches = 0;
  badRequests: string[] = [];
  failing = false;
  /** Accepted decisions per flag and second of the decisions' own `at`. */
  readonly perFlagSecond = new Map<string, number>();
  readonly server: Server = createServer((req, res) => void this.handle(req, res));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  count(flag: string, second: number): number {
    return this.perFlagSecond.get(`${flag}@${second}`) ?? 0;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.headers.authorization !== `Bearer ${SDK_KEY}`) return void res.writeHead(401).end();
    if (req.method === 'GET' && url.pathname === '/sdk/v1/snapshot') {
      // The client holds the bootstrap (version 0): nothing newer.
      return void res.writeHead(304, { etag: '"0"' }).end();
    }
    if (req.method !== 'POST' || url.pathname !== '/sdk/v1/decisions') return void res.writeHead(404).end();
    if (this.failing) {
      this.unavailable++;
      return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"code":"UNAVAILABLE"}');
    }
    const problem = this.accept(url, Buffer.concat(chunks).toString('utf8'));
    if (problem) {
      this.badRequests.push(problem);
      return void res.writeHead(400).end();
    }
    res.writeHead(202).end();
  }

  /** Checks the body shape of docs/delivery.md "Decision logs" and counts; answers a problem or undefined. */
  private accept(url: URL, text: string): string | undefined {
    if (url.searchParams.get('environment') !== 'prod') return `environment query ${url.search}`;
    const body = JSON.parse(text) as { environment?: string; decisions?: Record<string, unknown>[] };
    if (body.environment !== 'prod') return `environment ${body.environment}`;
    if (!Array.isArray(body.decisions) || body.decisions.length < 1 || body.decisions.length > 1000)
      return `batch of ${body.decisions?.length}`;
    for (const d of body.decisions) {
      if (typeof d.flag !== 'string' || typeof d.reason !== 'string' || typeof d.at !== 'string')
        return `decision ${JSON.stringify(d)}`;
      const at = Date.parse(d.at);
      if (new Date(at).toISOString() !== d.at) return `at ${d.at}`;
      const key = `${d.flag}@${Math.floor((at - T0) / 1000)}`;
      this.perFlagSecond.set(key, (this.perFlagSecond.get(key) ?? 0) + 1);
    }
    this.accepted += body.decisions.length;
    this.batches++;
    return undefined;
  }
}

interface RunResult {
  stats: { queued: number; posted: number; dropped: number };
  maxQueued: number;
  /** heapUsed after a forced GC at the end of each client second (empty without a GC). */
  heapMB: number[];
  heapAfterCloseMB: number | undefined;
  evaluations: number;
}

/**
 * Ten seconds of client clock at 1,000,000 evaluations per second: each client millisecond is 1,000
 * evaluations over the flags and both markets, then one turn of the event loop (posts progress in between).
 * `outage` makes the sink answer 503 between those client seconds.
 */
async function run(sink: DecisionSink, url: string, outage?: [number, number]): Promise<RunResult> {
  let now = T0;
  const client = createClient({
    url,
    sdkKey: SDK_KEY,
    environment: 'prod',
    bootstrap: config,
    streaming: false,
    pollIntervalMs: 600_000,
    clock: () => now,
    decisionLog: OPTIONS,
  });
  expect(await client.ready({ timeoutMs: 5_000 })).toBe(true);
  const flags = Array.from({ length: FLAGS }, (_, i) => `load_${i}`);
  let maxQueued = 0;
  let evaluations = 0;
  let on = 0;
  const heapMB: number[] = [];
  for (let ms = 0; ms < SECONDS * 1000; ms++) {
    now = T0 + ms;
    sink.failing = outage !== undefined && ms >= outage[0] * 1000 && ms < outage[1] * 1000;
    for (let i = 0; i < EVALS_PER_MS; i++) {
      const n = evaluations++;
      if (client.isEnabled(flags[n % FLAGS]!, CONTEXTS[Math.floor(n / FLAGS) & 1])) on++;
    }
    maxQueued = Math.max(maxQueued, client.decisionStats().queued);
    if (gc && ms % 1000 === 999) {
      gc();
      heapMB.push(process.memoryUsage().heapUsed / MB);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  sink.failing = false;
  expect(on).toBe(evaluations / 2); // DE on, UK off: the engine really ran
  await client.close();
  let heapAfterCloseMB: number | undefined;
  if (gc) {
    gc();
    heapAfterCloseMB = process.memoryUsage().heapUsed / MB;
  }
  return { stats: client.decisionStats(), maxQueued, heapMB, heapAfterCloseMB, evaluations };
}

/** Heap growth after the first client second: a leak per evaluation or per decision would show here. */
function expectBoundedHeap(r: RunResult): void {
  console.info(
    `heapUsed after GC per client second (MB): ${r.heapMB.map((h) => h.toFixed(1)).join(' ')}; ` +
      `after close ${r.heapAfterCloseMB?.toFixed(1)}; stats ${JSON.stringify(r.stats)}; max queued ${r.maxQueued}`,
  );
  if (!gc) return; // without a GC the numbers are noise; the queue bound below still holds
  expect(r.heapMB).toHaveLength(SECONDS);
  const first = r.heapMB[0]!;
  // 9,000,000 evaluations after the first sample: leaking even 1 byte each would be ~8.6 MB; the queue
  // holds at most 10,000 decisions (~1 MB).
  expect(Math.max(...r.heapMB) - first).toBeLessThan(4);
  expect(r.heapAfterCloseMB! - first).toBeLessThan(4);
}

describe('decision log under load (1,000,000 evaluations/s of client clock for 10 s)', () => {
  const sink = new DecisionSink();
  let url: string;
  beforeAll(async () => {
    url = await sink.listen();
  });
  afterAll(async () => {
    await new Promise((resolve) => sink.server.close(resolve));
  });

  it('posts exactly the configured rate, with a bounded queue and heap', async () => {
    const r = await run(sink, url);
    expect(r.evaluations).toBe(10_000_000);
    expect(sink.badRequests).toEqual([]);
    // Every kept decision reached the server, none dropped, nothing left behind.
    expect(r.stats).toEqual({ queued: 0, posted: EXPECTED_KEPT, dropped: 0 });
    expect(sink.accepted).toBe(EXPECTED_KEPT);
    expect(sink.batches).toBeGreaterThanOrEqual(EXPECTED_KEPT / OPTIONS.maxBatch);
    // The configured rate per flag and second of client clock, exactly (plus each variant's first at 0).
    for (let f = 0; f < FLAGS; f++) {
      for (let s = 0; s < SECONDS; s++) {
        expect(sink.count(`load_${f}`, s), `load_${f} second ${s}`).toBe(RATE + (s === 0 ? FIRSTS : 0));
      }
    }
    expect(r.maxQueued).toBeLessThanOrEqual(MAX_QUEUE);
    expectBoundedHeap(r);
  }, 60_000);
  it('during an outage, drops the oldest past maxQueue and counts every drop', async () => {
    const before = { accepted: sink.accepted, unavailable: sink.unavailable };
    sink.perFlagSecond.clear();
    const r = await run(sink, url, [3, 6]);
    const accepted = sink.accepted - before.accepted;
    expect(sink.badRequests).toEqual([]);
    expect(sink.unavailable - before.unavailable).toBeGreaterThan(0);
    // Three client seconds without a successful post produce 15,000 decisions for a 10,000 queue (plus the
    // batch in flight when the outage began).
    expect(r.stats.dropped).toBeGreaterThanOrEqual(3 * FLAGS * RATE - MAX_QUEUE - OPTIONS.maxBatch);
    expect(r.stats.queued).toBe(0);
    // Each kept decision is either posted (and arrived) or counted as dropped: none vanish.
    expect(r.stats.posted).toBe(accepted);
    expect(r.stats.posted + r.stats.dropped).toBe(EXPECTED_KEPT);
    expect(r.maxQueued).toBeLessThanOrEqual(MAX_QUEUE);
    for (let f = 0; f < FLAGS; f++) {
      const flag = `load_${f}`;
      // Before the outage and in the last second everything arrives; never above the rate anywhere.
      expect(sink.count(flag, 0)).toBe(RATE + FIRSTS);
      expect(sink.count(flag, 1)).toBe(RATE);
      expect(sink.count(flag, SECONDS - 1)).toBe(RATE);
      for (let s = 1; s < SECONDS; s++) expect(sink.count(flag, s)).toBeLessThanOrEqual(RATE);
    }
    expectBoundedHeap(r);
  }, 60_000);
});
