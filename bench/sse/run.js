// `node bench/sse/run.js [--sizes 1000,10000] [--rounds N] [--repeats N] [--warmup-changes N] [--only a,b]
//   [--threads N] [--no-write]`
// Environment equivalents: BENCH_SSE_SIZES, BENCH_ROUNDS, BENCH_SSE_REPEATS, BENCH_SSE_WARMUP, BENCH_ONLY,
// BENCH_SSE_THREADS.
// Prints the change-to-receipt latency table, writes bench/.results/sse.json, exits 1 only if a target that
// ran missed deliveries (or failed outright). Latency targets are reported, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { int } from '../lib/options.js';
import { formatInt, formatRatio, formatTable } from '../lib/table.js';
import { DEFAULTS, runBench, TARGETS } from './harness.js';

const { values } = parseCommandLine({
  options: {
    sizes: { type: 'string', default: process.env.BENCH_SSE_SIZES },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS },
    repeats: { type: 'string', default: process.env.BENCH_SSE_REPEATS },
    'warmup-changes': { type: 'string', default: process.env.BENCH_SSE_WARMUP },
    only: { type: 'string', default: process.env.BENCH_ONLY },
    threads: { type: 'string', default: process.env.BENCH_SSE_THREADS },
    'no-write': { type: 'boolean', default: false },
  },
});

function parseCommandLine(config) {
  try {
    return parseArgs(config);
  } catch (err) {
    console.error(`sse: ${err.message}`);
    process.exit(2);
  }
}

let options;
try {
  options = {
    sizes: values.sizes?.split(',').map((s) => int('sizes', s.trim(), 1)),
    rounds: int('rounds', values.rounds, 1),
    repeats: int('repeats', values.repeats, 1),
    warmup: int('warmup-changes', values['warmup-changes'], 0),
    threads: int('threads', values.threads, 1),
    only: values.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    onProgress: (msg) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K  ${msg}\n`),
    onStderr: (target, text) =>
      process.stderr.isTTY && process.stderr.write(text.replace(/^(?=.)/gm, `  [${target}] `)),
  };
} catch (err) {
  console.error(`sse: ${err.message}`);
  process.exit(2);
}

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const rounds = options.rounds ?? DEFAULTS.rounds;
const repeats = options.repeats ?? DEFAULTS.repeats;
const warmup = options.warmup ?? DEFAULTS.warmup;
const threads = options.threads ?? DEFAULTS.threads;
console.log(
  '\nSSE fan-out: flag change to its receipt on N open streams (servers and load generator share this machine)',
);
console.log(
  `${rounds} round(s) × ${repeats} timed change(s) (after ${warmup} untimed) per target and N, fresh processes ` +
    `each round; load generator: 1 process, ${threads} thread(s); node ${process.version}; ` +
    `${os.cpus().length} × ${cpu}`,
);

let result;
try {
  result = await runBench(options);
} catch (err) {
  console.error(`sse: ${err.message}`);
  process.exit(2);
}
console.log(result.fdLimits.note);

const ms = (v) => (v === undefined ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
/** Lowest and highest per-round p99: how much this VM moved the number between rounds. */
function p99Range(r) {
  const p99s = r.rounds.map((x) => x.latency?.p99).filter((v) => v !== undefined);
  return p99s.length < 2 ? '-' : `${ms(Math.min(...p99s))}–${ms(Math.max(...p99s))}`;
}
const rows = result.runs.map((r) => {
  if (!r.latency) {
    const label = { unavailable: 'not available', skipped: 'not run' }[r.status] ?? 'FAILED';
    return [r.target, formatInt(r.n), `${label}: ${r.error}`];
  }
  return [
    r.target,
    formatInt(r.n),
    ms(r.connectMs),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.max),
    p99Range(r),
    `${formatInt(r.minReceivedPerChange)}/${formatInt(r.n)}`,
    r.status === 'ok' ? '✓' : `✗ ${r.error}`,
    r.target === result.floor ? '1.00×' : formatRatio(r.p99VsFloor),
  ];
});
const columns = [
  { header: 'target' },
  { header: 'streams', align: 'right' },
  { header: 'connect ms', align: 'right' },
  { header: 'p50 ms', align: 'right' },
  { header: 'p99 ms', align: 'right' },
  { header: 'max ms', align: 'right' },
  { header: 'p99 by round', align: 'right' },
  { header: 'received', align: 'right' },
  { header: 'ok' },
  { header: `p99 vs ${result.floor}`, align: 'right' },
];
console.log('\n' + formatTable(columns, rows));
console.log(
  '\np50/p99/max: trigger request sent -> first byte of the `change` event, over every stream × timed change × round;' +
    '\nreceived: fewest streams reached by any one change (untimed ones included), of N; connect: median time ' +
    'to open N streams and receive their first event',
);

const s = result.summary;
if (s.status === 'ok') {
  const parts = s.bySize.map((b) => `${formatInt(b.n)}: ${formatRatio(b.p99VsFloor)}`).join(', ');
  console.log(
    `Pitboss p99 vs ${result.floor} p99 — ${parts} (target ≤ ${TARGETS.maxP99VsFloor}× at every size, ` +
      `no stream missing a change) ${s.meetsTarget ? '✓' : '✗'}`,
  );
} else {
  console.log(`Pitboss vs ${result.floor}: n/a (pitboss ${s.status})`);
}

if (!values['no-write']) {
  const dir = new URL('../.results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('sse.json', dir), JSON.stringify({ ...result, cpu }, null, 2) + '\n');
  console.log('\nresults: bench/.results/sse.json');
}

if (!result.ok) {
  console.error('\nsse: a target missed deliveries or failed (see the table)');
  process.exitCode = 1;
}
