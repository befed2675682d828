// `node bench/gateway/run.js [--duration S] [--rounds N] [--rate R] [--connections N] [--only a,b] [--no-write]`
// Environment equivalents: BENCH_GATEWAY_DURATION, BENCH_ROUNDS, BENCH_GATEWAY_RATE, BENCH_GATEWAY_CONNECTIONS,
// BENCH_ONLY.
// Prints the throughput / added-latency table, writes bench/.results/gateway.json, exits 1 only when a target
// that ran split wrongly or failed requests. The issue's targets are reported, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { int } from '../lib/options.js';
import { formatInt, formatRatio, formatTable } from '../lib/table.js';
import { DEFAULTS, GOALS, runBench } from './harness.js';
import { SEGMENT_RULE, SPLIT_TOLERANCE_PP } from './split.js';
import { BARE, NGINX, REFERENCE } from './targets/index.js';

function parseCommandLine(config) {
  try {
    return parseArgs(config);
  } catch (err) {
    console.error(`gateway: ${err.message}`);
    process.exit(2);
  }
}

const { values } = parseCommandLine({
  options: {
    duration: { type: 'string', default: process.env.BENCH_GATEWAY_DURATION },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS },
    rate: { type: 'string', default: process.env.BENCH_GATEWAY_RATE },
    connections: { type: 'string', default: process.env.BENCH_GATEWAY_CONNECTIONS },
    only: { type: 'string', default: process.env.BENCH_ONLY },
    'no-write': { type: 'boolean', default: false },
  },
});

let options;
try {
  const duration = int('duration', values.duration, 1);
  options = {
    durationMs: duration === undefined ? undefined : duration * 1000,
    rounds: int('rounds', values.rounds, 1),
    rate: int('rate', values.rate, 1),
    connections: int('connections', values.connections, 1),
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    onProgress: (msg) => process.stderr.isTTY && process.stderr.write(`  ${msg}\n`),
  };
} catch (err) {
  console.error(`gateway: ${err.message}`);
  process.exit(2);
}

const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
console.log('\nGateway: maximum throughput and added latency, stable/canary split by player id');
console.log(
  `${o.rounds} round(s); per target and round: a fresh proxy process, a ${formatInt(o.splitRequests)}-request split ` +
    `check (canary ${o.weight} % ± ${SPLIT_TOLERANCE_PP} pp), then ${o.durationMs / 1000} s closed loop on ` +
    `${o.connections} connections and ${o.durationMs / 1000} s open loop at ${formatInt(o.rate)} req/s ` +
    `(each after ${o.warmupMs / 1000} s untimed warm-up); node ${process.version}; ${os.cpus().length} × ${cpu}`,
);
console.log(
  'The load generator (1 process), the proxy and the upstreams (1 process) share this machine: nothing is ' +
    'pinned, so every figure includes their contention for the cores.',
);

let result;
try {
  result = await runBench(options);
} catch (err) {
  console.error(`gateway: ${err.message}`);
  process.exit(2);
}

const ms = (v) =>
  v === undefined || !Number.isFinite(v) ? '-' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
const signed = (v) => (v === undefined ? '-' : (v >= 0 ? '+' : '') + ms(v));
const kRps = (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} k` : formatInt(v));
const pct = (v) => (v === undefined ? '-' : `${Math.round(v)} %`);
const rows = result.runs.map((r) => {
  const name = r.target;
  if (r.rps === undefined) {
    const label = { unavailable: 'not available', ok: 'split checked only' }[r.status] ?? 'FAILED';
    return [name, r.version ?? '-', `${label}${r.error ? `: ${r.error}` : ''}`];
  }
  return [
    name,
    r.version ?? '-',
    kRps(r.rps),
    `${kRps(r.rpsMin)}–${kRps(r.rpsMax)}`,
    r.target === BARE ? '1.00×' : formatRatio(r.rpsVsBare),
    r.target === NGINX ? '1.00×' : formatRatio(r.rpsVsNginx),
    ms(r.p50),
    ms(r.p99),
    signed(r.addedP50),
    signed(r.addedP99),
    r.addedP99Min === undefined || r.rounds.length < 2
      ? '-'
      : `${signed(r.addedP99Min)} … ${signed(r.addedP99Max)}`,
    r.target === BARE ? '1.00×' : formatRatio(r.addedP99VsBare),
    r.canaryPercent === undefined ? '-' : `${r.canaryPercent.toFixed(1)} %`,
    r.cpuClosed
      ? `${pct(r.cpuClosed.proxy)} / ${pct(r.cpuClosed.upstream)} / ${pct(r.cpuClosed.loadgen)}`
      : '-',
    r.status === 'ok' ? '✓' : `✗ ${r.error}`,
  ];
});
const columns = [
  { header: 'target' },
  { header: 'version' },
  { header: 'req/s', align: 'right' },
  { header: 'req/s by round', align: 'right' },
  { header: 'vs node-proxy', align: 'right' },
  { header: 'vs nginx', align: 'right' },
  { header: 'p50 ms', align: 'right' },
  { header: 'p99 ms', align: 'right' },
  { header: '+p50 ms', align: 'right' },
  { header: '+p99 ms', align: 'right' },
  { header: '+p99 by round', align: 'right' },
  { header: '+p99 vs node-proxy', align: 'right' },
  { header: 'canary', align: 'right' },
  { header: 'CPU proxy/up/gen', align: 'right' },
  { header: 'ok' },
];
console.log('\n' + formatTable(columns, rows));
const lag = result.runs.map((r) => r.timerLagP99).filter((v) => Number.isFinite(v));
console.log(
  `\nreq/s: closed loop, median over rounds (2xx answers in the timed window); p50/p99: open loop at ` +
    `${formatInt(o.rate)} req/s, latency from each request's intended send time on the fixed schedule ` +
    `(coordinated omission corrected), median over rounds; +p50/+p99: minus the direct path's, per round, median; ` +
    `canary: share of the split check's answers from v2; CPU: % of one core during the closed loop (proxy incl. ` +
    `nginx's worker / upstreams / load generator).` +
    (lag.length
      ? ` The generator's own lateness (intended → noticed due), p99: ${ms(Math.max(...lag))} ms at worst.`
      : ''),
);
console.log(
  `Pitboss runs with the segment rule \`${SEGMENT_RULE}\` (never matching here), sticky weight by player ` +
    'id and per-version metrics (a TrafficStats store).',
);

// The generator's own lateness (a due request noticed late; not the wait for a free connection, which is the
// proxy's doing) is the tell of a starved machine: its 1 ms timer keeps it near 1 ms on an idle box; tens of ms
// mean another process held the cores.
const LATE_MS = 5;
const late = result.runs.flatMap((r) =>
  (r.rounds ?? [])
    .filter((x) => x.timerLagP99 > LATE_MS)
    .map((x) => `${r.target} round ${x.round} (${ms(x.timerLagP99)} ms)`),
);
if (late.length) {
  console.log(
    `Warning: the load generator itself noticed due requests more than ${LATE_MS} ms late at p99 in ` +
      `${late.join(', ')}: something held the cores, so those rounds' latencies are unreliable (the medians ` +
      'damp one such round).',
  );
}

const s = result.summary;
const mine = result.runs.find((r) => r.target === REFERENCE);
if (mine?.metricsRecorded) {
  const total = Object.values(mine.metricsRecorded).reduce((a, b) => a + b, 0);
  const byVersion = Object.entries(mine.metricsRecorded)
    .map(([v, n]) => `${v}: ${formatInt(n)}`)
    .join(', ');
  console.log(
    `Pitboss's metrics recorded ${formatInt(total)} requests (${byVersion}) of the ` +
      `${formatInt(mine.answered)} the load generator saw answered${total === mine.answered ? ' ✓' : ' ✗'}.`,
  );
}
if (s.rpsVsBare !== undefined || s.addedP99VsBare !== undefined) {
  const mark = (met) => (met === undefined ? '' : met ? ' ✓' : ' ✗');
  console.log(
    `Pitboss throughput ${formatRatio(s.rpsVsBare)} of the bare Node proxy's (target ≥ ` +
      `${GOALS.minThroughputVsBare.toFixed(2)}×)${mark(s.throughputMet)}; p99 added latency ` +
      `${s.addedP99VsBare === undefined ? 'n/a' : formatRatio(s.addedP99VsBare)} the bare Node proxy's ` +
      `(target ≤ ${GOALS.maxP99AddedVsBare}×)` +
      `${mark(s.latencyMet)}; throughput ${formatRatio(s.rpsVsNginx)} of nginx's.`,
  );
} else {
  console.log(`Pitboss vs the bare Node proxy: n/a (pitboss ${s.status})`);
}

if (!values['no-write']) {
  const dir = new URL('../.results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('gateway.json', dir), JSON.stringify({ ...result, cpu }, null, 2) + '\n');
  console.log('\nresults: bench/.results/gateway.json');
}

if (!result.ok) {
  console.error('\ngateway: a target split wrongly or failed requests (see the table)');
  process.exitCode = 1;
}
