// Node SDK propagation benchmark driver: starts `pitboss server` in its own process (through the SSE suite's
// adapter, ../sse/targets/pitboss.js), issues an SDK key for prod, runs N SDK clients in another process
// (./clients.js), and checks that every client saw every change. No printing here (see ./run.js), so the vitest
// smoke test can call it too.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { deliveryProblems } from '../lib/delivery-checks.js';
import { fdLimits, spawnNode, tail } from '../sse/proc.js';
import { roundMs, summarise } from '../sse/stats.js';
import { pitboss } from '../sse/targets/pitboss.js';
import { TargetUnavailable } from '../sse/targets/unavailable.js';

export const DEFAULTS = {
  clients: 1_000,
  repeats: 5,
  warmup: 2,
  pauseMs: 200,
  readyTimeoutMs: 120_000,
  deliveryTimeoutMs: 15_000,
};

const CLIENTS = fileURLToPath(new URL('./clients.js', import.meta.url));
// BENCH_PITBOSS_SDK=/path/to/index.js benchmarks another build of the Node SDK.
const SDK =
  process.env.BENCH_PITBOSS_SDK ??
  fileURLToPath(new URL('../../packages/sdk/dist/node/index.js', import.meta.url));
const ENVIRONMENT = 'prod';
const FLAG = 'bench_flag';

/**
 * One run: fresh server, fresh client process, `warmup` untimed then `repeats` timed kill-switch flips.
 * @param {{ clients?: number, repeats?: number, warmup?: number, pauseMs?: number, readyTimeoutMs?: number,
 *   deliveryTimeoutMs?: number, onStderr?: (text: string) => void }} [options]
 */
export async function runBench(options = {}) {
  const opts = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  };
  const limits = fdLimits();
  const base = {
    suite: 'sdk',
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown cpu',
    cores: os.cpus().length,
    options: {
      clients: opts.clients,
      repeats: opts.repeats,
      warmup: opts.warmup,
      pauseMs: opts.pauseMs,
      deliveryTimeoutMs: opts.deliveryTimeoutMs,
    },
    fdLimits: limits,
  };
  let target;
  try {
    target = await pitboss.start();
  } catch (err) {
    const status = err instanceof TargetUnavailable ? 'unavailable' : 'failed';
    return { ...base, status, error: err.message, ok: status !== 'failed' };
  }
  try {
    const url = `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    const admin = target.stream.headers; // { authorization: Bearer <admin token> }
    const res = await fetch(`${url}/api/v1/tokens`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench-sdk', kind: 'sdk', environment: ENVIRONMENT }),
    });
    const created = await res.json().catch(() => ({}));
    if (!res.ok || typeof created.token !== 'string') {
      const error = `POST /api/v1/tokens answered ${res.status}: ${JSON.stringify(created).slice(0, 300)}`;
      const unavailable = [404, 405, 501].includes(res.status);
      return { ...base, status: unavailable ? 'unavailable' : 'failed', error, ok: unavailable };
    }
    // The flag starts live; trigger i sets the kill switch to `i % 2 === 0` (see the adapter).
    const triggers = Array.from({ length: opts.warmup + opts.repeats }, (_, i) => ({
      ...target.trigger(i),
      killed: i % 2 === 0,
    }));
    const result = await runClients(
      {
        url,
        sdkKey: created.token,
        environment: ENVIRONMENT,
        n: opts.clients,
        flag: FLAG,
        sdk: SDK,
        readyTimeoutMs: opts.readyTimeoutMs,
        deliveryTimeoutMs: opts.deliveryTimeoutMs,
        pauseMs: opts.pauseMs,
        warmup: opts.warmup,
        triggers,
      },
      opts.onStderr,
    );
    return { ...base, serverVersion: target.version, ...check(result, opts) };
  } finally {
    await target.stop();
  }
}

function runClients(config, onStderr) {
  return new Promise((resolve) => {
    const child = spawnNode([CLIENTS, JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = tail(child.stdout, 1_000_000);
    const stderr = tail(child.stderr, 4000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => onStderr?.(text));
    child.on('close', (code, signal) => {
      try {
        resolve(JSON.parse(stdout().split('\n').pop()));
      } catch {
        resolve({
          error: `client process exited ${signal ?? code} without a result: ${stderr().slice(-500)}`,
        });
      }
    });
  });
}

/** Every client must be ready, hold a stream, and see every change with its new value and one version. */
function check(result, opts) {
  if (result.error) return { status: 'failed', error: result.error, ok: false };
  const n = opts.clients;
  const problems = [];
  if (result.ready < n) problems.push(`${n - result.ready}/${n} clients not ready`);
  if (result.streamsOpen < n) problems.push(`${n - result.streamsOpen}/${n} streams did not open`);
  const changes = result.changes;
  problems.push(...deliveryProblems(changes, n, 'client deliveries'));
  const wrong = changes.reduce((sum, c) => sum + c.wrongValue, 0);
  if (wrong) problems.push(`${wrong} change handlers evaluated the flag to the old value`);
  const timed = changes.filter((c) => !c.warmup);
  return {
    status: problems.length ? 'failed' : 'ok',
    ...(problems.length ? { error: problems.join('; ') } : {}),
    ok: problems.length === 0,
    clients: n,
    ready: result.ready,
    streamsOpen: result.streamsOpen,
    connectMs: Math.round(result.connectMs),
    latency: roundMs(summarise(result.latencies)),
    minReceivedPerChange: changes.length ? Math.min(...changes.map((c) => c.received)) : 0,
    timedChanges: timed.length,
    extraChanges: result.extraChanges,
    clientErrors: result.errors,
    firstClientError: result.firstError,
    clientRssMB: result.rssMB,
    changes,
  };
}
