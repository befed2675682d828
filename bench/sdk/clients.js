// SDK client process: `node bench/sdk/clients.js '<json config>'`, spawned by ./harness.js, separate from the
// server process. Creates N Node SDK clients (`createClient` from the built packages/sdk, one event loop for all
// of them), waits until every one has its config and an open stream, then fires the changes one at a time from
// this process and times each client's `on('change')` against the moment just before the trigger request was
// written (both from ../sse/clock.js, the same process clock). Prints exactly one JSON line on stdout.
//
// Config: { url, sdkKey, environment, n, flag, sdk, readyTimeoutMs, deliveryTimeoutMs, pauseMs, warmup,
//   triggers: [{ method, path, headers, body, killed }] }: triggers[0 .. warmup-1] are untimed warm-up changes
//   (delivery still checked); `killed` is the kill switch's state after the trigger, so the flag must evaluate
//   to `!killed` in the change handler.
import { pathToFileURL } from 'node:url';
import { sendTrigger as sendTriggerTo } from '../lib/trigger.js';
import { now } from '../sse/clock.js';
import { roundMs, summarise } from '../sse/stats.js';

const config = JSON.parse(process.argv[2]);
const { createClient } = await import(pathToFileURL(config.sdk).href);

function emit(result) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(result) + '\n', () => resolve()));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const base = new URL(config.url);
/** Sends one trigger on its own agent (not the SDK's undici pool). */
const sendTrigger = (trigger) => sendTriggerTo(base.hostname.replace(/^\[|\]$/g, ''), base.port, trigger);

async function main() {
  const n = config.n;
  // Per client: the armed change, its receipt time, the version and the flag's value seen in the handler.
  let armed = -1;
  let pending = 0;
  let onAllReceived = () => {};
  let times = new Float64Array(n);
  let versions = new Map();
  let wrongValue = 0;
  let extraChanges = 0;
  const seenFor = new Int32Array(n).fill(-1);
  const streamOpen = new Uint8Array(n);
  let streamsOpen = 0;
  let onStreamsOpen = () => {};
  let errors = 0;
  let firstError = null;
  let expectedEnabled = true;

  const clients = [];
  const connectStart = now();
  for (let i = 0; i < n; i++) {
    // The SDK reads the stream with fetch; this wrapper only notes when the stream's response head arrived.
    const fetchFn = async (url, init) => {
      const res = await fetch(url, init);
      if (String(url).includes('/sdk/v1/stream') && res.ok && !streamOpen[i]) {
        streamOpen[i] = 1;
        if (++streamsOpen === n) onStreamsOpen();
      }
      return res;
    };
    const client = createClient({
      url: config.url,
      sdkKey: config.sdkKey,
      environment: config.environment,
      decisionLog: false,
      fetch: fetchFn,
    });
    client.on('error', (err) => {
      errors++;
      firstError ??= err instanceof Error ? err.message : String(err);
    });
    client.on('change', (payload) => {
      const at = now();
      if (armed === -1 || seenFor[i] === armed) {
        extraChanges++;
        return;
      }
      seenFor[i] = armed;
      times[i] = at;
      const v = typeof payload?.version === 'number' ? payload.version : null;
      versions.set(v, (versions.get(v) ?? 0) + 1);
      if (client.isEnabled(config.flag, {}) !== expectedEnabled) wrongValue++;
      if (--pending === 0) onAllReceived();
    });
    clients.push(client);
  }

  const result = { n };
  const readyTimeout = config.readyTimeoutMs ?? 120_000;
  const ready = await Promise.all(clients.map((c) => c.ready({ timeoutMs: readyTimeout })));
  result.ready = ready.filter(Boolean).length;
  if (streamsOpen < n) {
    await Promise.race([
      new Promise((resolve) => {
        onStreamsOpen = resolve;
      }),
      sleep(Math.max(1000, readyTimeout - (now() - connectStart))),
    ]);
  }
  result.streamsOpen = streamsOpen;
  result.connectMs = now() - connectStart;
  result.startVersion = clients[0]?.version ?? null;
  process.stderr.write(`    ${result.ready}/${n} ready, ${streamsOpen}/${n} streams open\n`);

  const timed = [];
  result.changes = [];
  const warmup = config.warmup ?? 0;
  for (let c = 0; c < config.triggers.length; c++) {
    const trigger = config.triggers[c];
    times = new Float64Array(n).fill(Number.NaN);
    versions = new Map();
    wrongValue = 0;
    expectedEnabled = !trigger.killed;
    pending = n;
    armed = c;
    const allReceived = new Promise((resolve) => {
      onAllReceived = resolve;
    });
    const ack = sendTrigger(trigger);
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, config.deliveryTimeoutMs ?? 15_000);
    });
    const sent = await ack;
    if (sent.status >= 200 && sent.status <= 299) await Promise.race([allReceived, timeout]);
    clearTimeout(timer);
    armed = -1;

    const latencies = [];
    for (const at of times) if (!Number.isNaN(at)) latencies.push(at - sent.sentAt);
    if (c >= warmup) timed.push(...latencies);
    const change = {
      index: c,
      warmup: c < warmup,
      killed: trigger.killed,
      received: latencies.length,
      wrongValue,
      triggerStatus: sent.status,
      versions: [...versions].map(([version, count]) => ({ version, count })),
      latency: roundMs(summarise(latencies)),
    };
    if (sent.status < 200 || sent.status > 299) change.triggerError = sent.body.slice(0, 300);
    result.changes.push(change);
    process.stderr.write(
      `    change ${c + 1}/${config.triggers.length}${change.warmup ? ' (warm-up)' : ''}: ` +
        `${latencies.length}/${n} clients, HTTP ${sent.status}\n`,
    );
    await sleep(config.pauseMs ?? 200);
  }

  result.rssMB = Math.round(process.memoryUsage().rss / 1e5) / 10;
  await Promise.all(clients.map((c) => c.close()));
  result.extraChanges = extraChanges;
  result.errors = errors;
  result.firstError = firstError;
  result.latency = roundMs(summarise(timed));
  result.latencies = timed.map((ms) => Math.round(ms * 1000) / 1000);
  await emit(result);
}

main().then(
  () => process.exit(0),
  async (err) => {
    await emit({ error: `sdk clients: ${err.stack ?? err}` });
    process.exit(1);
  },
);
