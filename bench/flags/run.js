// `node bench/flags/run.js [--rounds N] [--contexts N] [--warmup N] [--only a,b] [--tolerance F] [--no-write]`
// Environment equivalents: BENCH_ROUNDS, BENCH_CONTEXTS, BENCH_WARMUP, BENCH_ONLY, BENCH_TOLERANCE.
// Prints the flag-evaluation table, writes bench/.results/flags.json, exits 1 if any implementation is
// incorrect (ON fraction, network use). Speed targets are reported, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatInt, formatRatio, formatTable } from '../lib/table.js';
import { DEFAULTS, runBench, TARGETS } from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS },
    contexts: { type: 'string', default: process.env.BENCH_CONTEXTS },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP },
    only: { type: 'string', default: process.env.BENCH_ONLY },
    tolerance: { type: 'string', default: process.env.BENCH_TOLERANCE },
    'no-write': { type: 'boolean', default: false },
  },
});

function positiveInt(name, text) {
  if (text === undefined) return undefined;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

const options = {
  rounds: positiveInt('rounds', values.rounds),
  contexts: positiveInt('contexts', values.contexts),
  warmup: positiveInt('warmup', values.warmup),
  only: values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  tolerance: values.tolerance === undefined ? undefined : Number(values.tolerance),
  onProgress: (msg) => process.stderr.isTTY && process.stderr.write(`\r\x1b[K  ${msg}`),
  onStderr: (impl, text) => process.stderr.write(text.replace(/^(?=.)/gm, `  [${impl}] `)),
};

const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const rounds = options.rounds ?? DEFAULTS.rounds;
const contexts = options.contexts ?? DEFAULTS.contexts;
console.log(
  `\nFlag evaluation: payments_v2 (market rollout 25 % + employee rule), ${formatInt(contexts)} contexts`,
);
console.log(`${rounds} round(s), one process per implementation per round; node ${process.version}; ${cpu}`);

let result;
try {
  result = await runBench(options);
} catch (err) {
  console.error(`flags: ${err.message}`);
  process.exit(2);
}
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

function ratioCell(r) {
  if (r.ratioVsPitboss === undefined) return '-';
  if (r.kind === 'pitboss') return '1.00×';
  if (r.kind === 'baseline') return `pitboss at ${formatRatio(r.ratioVsPitboss)}`;
  return `${formatRatio(r.ratioVsPitboss)} slower`;
}

const pct = (f) => (f * 100).toFixed(2) + ' %';
const rows = result.impls.map((r) => {
  if (r.nsPerEval === undefined) {
    const label = r.status === 'unavailable' ? 'not available' : 'FAILED';
    return [r.name, r.version, `${label}: ${r.error}`];
  }
  return [
    r.name,
    r.version,
    r.nsPerEval.toFixed(1),
    formatInt(r.evalsPerSecond),
    pct(r.onFraction),
    r.correct ? '✓' : `✗ ${r.error}`,
    ratioCell(r),
  ];
});
const columns = [
  { header: 'implementation' },
  { header: 'version' },
  { header: 'ns/eval (median)', align: 'right' },
  { header: 'evals/s', align: 'right' },
  { header: 'ON', align: 'right' },
  { header: 'ok' },
  { header: 'vs pitboss', align: 'right' },
];
console.log('\n' + formatTable(columns, rows));
console.log(
  `\nexpected ON ${pct(result.expectedOnFraction)} ± ${(result.options.tolerance * 100).toFixed(2)} pp; ` +
    "'vs pitboss': peer time / Pitboss time; hand-written row: Pitboss time / hand-written time",
);

const s = result.summary;
const mark = (ok) => (ok ? '✓' : '✗');
if (s.pitbossStatus !== 'ok') {
  const why =
    { unavailable: 'not available', failed: 'failed its correctness check' }[s.pitbossStatus] ??
    s.pitbossStatus;
  console.log(`Pitboss vs fastest peer SDK: n/a (pitboss ${why})`);
  console.log(`Pitboss vs hand-written: n/a (pitboss ${why})`);
} else {
  if (s.speedupVsFastestPeer !== undefined) {
    console.log(
      `Pitboss vs fastest peer SDK (${s.fastestPeer}): ${formatRatio(s.speedupVsFastestPeer)} faster ` +
        `(target ≥ ${TARGETS.minSpeedupVsFastestPeer}×) ${mark(s.meetsPeerTarget)}`,
    );
  }
  if (s.slowdownVsHandWritten !== undefined) {
    console.log(
      `Pitboss vs hand-written: ${formatRatio(s.slowdownVsHandWritten)} the hand-written time ` +
        `(target ≤ ${TARGETS.maxSlowdownVsHandWritten}×) ${mark(s.meetsHandWrittenTarget)}`,
    );
  }
  if (s.sameBucketsAsHandWritten !== undefined) {
    console.log(
      `Pitboss ON count ${s.sameBucketsAsHandWritten ? 'equals' : 'differs from'} the hand-written one ` +
        "(which hashes MurmurHash3 'payments_v2:<user.id>' into 1,000,000 buckets)",
    );
  }
}

if (!values['no-write']) {
  const dir = new URL('../.results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL('flags.json', dir), JSON.stringify({ ...result, cpu }, null, 2) + '\n');
  console.log('\nresults: bench/.results/flags.json');
}

if (!result.ok) {
  console.error('\nflags: correctness check failed');
  process.exitCode = 1;
}
