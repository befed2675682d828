// `node bench/detection/run.js [--runs N] [--healthy-runs N] [--weights 1,5,25] [--scenarios a,b] [--only a,b]
//   [--seed N] [--workers N] [--cmp-tolerance F] [--cmp-interval S] [--no-write]`
// Environment equivalents: BENCH_DETECTION_RUNS, BENCH_DETECTION_HEALTHY_RUNS, BENCH_DETECTION_WEIGHTS,
// BENCH_DETECTION_SCENARIOS, BENCH_ONLY, BENCH_DETECTION_SEED, BENCH_DETECTION_WORKERS,
// BENCH_DETECTION_TOLERANCE, BENCH_DETECTION_INTERVAL.
// Simulated time and seeded traffic: the figures are the same on every machine and every run. Prints one table
// per scenario and the targets, writes bench/.results/detection.json, exits 1 only on a correctness
// failure (a Pitboss measurement in error: the simulated provider never fails, so that is a bug).
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { int } from '../lib/options.js';
import { formatTable } from '../lib/table.js';
import { runDetection } from './harness.js';
import { scenarios as scenarioSpecs } from './scenarios.js';
import { formatSeconds, pct, summarize, targets } from './summary.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_DETECTION_RUNS },
    'healthy-runs': { type: 'string', default: process.env.BENCH_DETECTION_HEALTHY_RUNS },
    weights: { type: 'string', default: process.env.BENCH_DETECTION_WEIGHTS },
    scenarios: { type: 'string', default: process.env.BENCH_DETECTION_SCENARIOS },
    only: { type: 'string', default: process.env.BENCH_ONLY },
    seed: { type: 'string', default: process.env.BENCH_DETECTION_SEED },
    workers: { type: 'string', default: process.env.BENCH_DETECTION_WORKERS },
    'cmp-tolerance': { type: 'string', default: process.env.BENCH_DETECTION_TOLERANCE },
    'cmp-interval': { type: 'string', default: process.env.BENCH_DETECTION_INTERVAL },
    'no-write': { type: 'boolean', default: false },
  },
});

const list = (text) =>
  text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
let options;
try {
  options = {
    runs: int('runs', values.runs, 1),
    healthyRuns: int('healthy-runs', values['healthy-runs'], 1),
    seed: int('seed', values.seed, 0),
    workers: int('workers', values.workers, 1),
    weights: list(values.weights)?.map((w) => {
      const n = Number(w);
      if (!(n > 0 && n <= 100)) throw new Error(`--weights takes percentages in (0, 100], got '${w}'`);
      return n / 100;
    }),
    scenarios: list(values.scenarios),
    only: list(values.only),
    tuning: {
      tolerance:
        values['cmp-tolerance'] === undefined
          ? undefined
          : positive('cmp-tolerance', values['cmp-tolerance']),
      intervalMs:
        values['cmp-interval'] === undefined
          ? undefined
          : int('cmp-interval', values['cmp-interval'], 1) * 1000,
    },
    onProgress: (done, total) =>
      process.stderr.isTTY && process.stderr.write(`\r\x1b[K  ${done}/${total} runs`),
  };
} catch (err) {
  console.error(`detection: ${err.message}`);
  process.exit(2);
}

function positive(name, text) {
  const n = Number(text);
  if (!(n > 0)) throw new Error(`--${name} must be a positive number, got '${text}'`);
  return n;
}

const started = performance.now();
let outcome;
try {
  outcome = await runDetection(options);
} catch (err) {
  console.error(`detection: ${err.stack ?? err.message}`);
  process.exit(2);
}
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
const elapsedS = (performance.now() - started) / 1000;
const o = outcome.options;
const specs = scenarioSpecs([100]);
const rows = summarize(outcome.results, specs, o.only);

console.log('\nDetection: canary analysis on simulated deposits (100/s), seeded, simulated time');
console.log(
  `weights ${o.weights.map((w) => pct(w, 0)).join(', ')}; ${o.runs} runs per regression and shared-incident ` +
    `case, ${o.healthyRuns} healthy one-hour runs per weight; seed ${o.seed}; ${elapsedS.toFixed(1)} s wall`,
);
const tuned = [
  o.tuning.tolerance === undefined ? '' : `deposit-errors tolerance ${o.tuning.tolerance}`,
  o.tuning.intervalMs === undefined ? '' : `interval ${o.tuning.intervalMs / 1000} s`,
].filter(Boolean);
if (tuned.length > 0)
  console.log(`what-if: Pitboss comparison templates with ${tuned.join(', ')} (not as shipped)`);

const detectionColumns = [
  { header: 'weight', align: 'right' },
  { header: 'contestant' },
  { header: 'detected', align: 'right' },
  { header: 'median TTR', align: 'right' },
  { header: 'p95 TTR', align: 'right' },
];
for (const scenario of o.scenarios) {
  const spec = specs[scenario];
  const own = rows.filter((r) => r.scenario === scenario);
  console.log(`\n${scenario}: ${spec.about} (horizon ${formatSeconds(spec.horizonS)})`);
  if (scenario === 'healthy') {
    const columns = [
      { header: 'weight', align: 'right' },
      { header: 'contestant' },
      { header: 'false rollbacks', align: 'right' },
      { header: 'per hour', align: 'right' },
      { header: 'median time to it', align: 'right' },
      { header: 'by gate' },
    ];
    const cells = own.map((r) => [
      pct(r.weight, 0),
      r.contestant,
      `${r.rolledBack}/${r.runs}`,
      pct(r.perHour, 2),
      r.rolledBack > 0 ? formatSeconds(medianFinite(outcome, r)) : '-',
      Object.entries(r.culprits)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ]);
    console.log(formatTable(columns, cells));
  } else if (spec.incident) {
    const columns = [
      { header: 'weight', align: 'right' },
      { header: 'contestant' },
      { header: 'rollbacks', align: 'right' },
      { header: 'during incident (+5 min)', align: 'right' },
      { header: 'held as shared incident', align: 'right' },
    ];
    const cells = own.map((r) => [
      pct(r.weight, 0),
      r.contestant,
      `${r.rolledBack}/${r.runs}`,
      String(r.duringIncident),
      r.incidentHeld === undefined || !r.contestant.startsWith('pitboss')
        ? '-'
        : `${r.incidentHeld}/${r.runs}`,
    ]);
    console.log(formatTable(columns, cells));
  } else {
    const cells = own.map((r) => [
      pct(r.weight, 0),
      r.contestant,
      pct(r.detection, 0),
      formatSeconds(r.medianS),
      formatSeconds(r.p95S),
    ]);
    console.log(formatTable(detectionColumns, cells));
  }
}

const goals = targets(
  rows,
  o.only.filter((c) => c.startsWith('pitboss')),
);
if (goals.length > 0) {
  console.log('\nTargets (issue 5)');
  console.log(
    formatTable(
      [{ header: 'contestant' }, { header: 'target' }, { header: 'met' }, { header: 'figures' }],
      goals.map((g) => [g.contestant, g.target, g.met ? 'yes' : 'NO', g.figure]),
    ),
  );
}

const errors = outcome.results.filter((r) => r.result.errors);
if (errors.length > 0) {
  console.error(
    `\ndetection: ${errors.length} run(s) had Pitboss measurements in error, e.g. ${errors[0].result.errors.first}`,
  );
}

if (!values['no-write']) {
  const dir = new URL('../.results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('detection.json', dir);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, elapsedS, options: o, rows, targets: goals }, null, 2)}\n`,
  );
  console.log(`\nwrote ${file.pathname}`);
}
process.exit(errors.length > 0 ? 1 : 0);

/** Median time to a false rollback among the runs that had one. */
function medianFinite(result, row) {
  const times = result.results
    .filter((r) => r.scenario === row.scenario && r.weight === row.weight)
    .map((r) => r.result[row.contestant]?.rollbackS)
    .filter((t) => t !== null && t !== undefined)
    .sort((a, b) => a - b);
  return times[Math.floor((times.length - 1) / 2)];
}
