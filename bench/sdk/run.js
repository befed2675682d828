// `node bench/sdk/run.js [--clients N] [--repeats N] [--warmup-changes N] [--no-write]`
// Environment equivalents: BENCH_SDK_CLIENTS, BENCH_SDK_REPEATS, BENCH_SDK_WARMUP.
// Prints the API-change -> `on('change')` propagation table for N Node SDK clients, then the Node SDK's evaluation
// throughput row from the flags suite's last results, writes bench/.results/sdk.json, and exits 1 only if a
// client missed a change (or the run failed outright). Latencies are reported, never asserted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { int } from '../lib/options.js';
import { formatInt, formatRatio, formatTable } from '../lib/table.js';
import { DEFAULTS, runBench } from './harness.js';

function parseCommandLine(config) {
  try {
    return parseArgs(config);
  } catch (err) {
    console.error(`sdk: ${err.message}`);
    process.exit(2);
  }
}

const { values } = parseCommandLine({
  options: {
    clients: { type: 'string', default: process.env.BENCH_SDK_CLIENTS },
    repeats: { type: 'string', default: process.env.BENCH_SDK_REPEATS },
    'warmup-changes': { type: 'string', default: process.env.BENCH_SDK_WARMUP },
    'no-write': { type: 'boolean', default: false },
  },
});

let options;
try {
  options = {
    clients: int('clients', values.clients, 1),
    repeats: int('repeats', values.repeats, 1),
    warmup: int('warmup-changes', values['warmup-changes'], 0),
    onStderr: (text) =>
      process.stderr.isTTY && process.stderr.write(text.replace(/^(?=.)/gm, '  [clients] ')),
  };
} catch (err) {
  console.error(`sdk: ${err.message}`);
  process.exit(2);
}

const clients = options.clients ?? DEFAULTS.clients;
const repeats = options.repeats ?? DEFAULTS.repeats;
const warmup = options.warmup ?? DEFAULTS.warmup;
const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
const cores = os.cpus().length;
console.log(
  `\nNode SDK propagation: kill switch via the API -> on('change') in ${formatInt(clients)} SDK clients`,
);
console.log(
  `${repeats} timed change(s) after ${warmup} untimed; server: 1 process (pitboss server, SQLite); clients: ` +
    `1 separate process (${formatInt(clients)} createClient() instances, one event loop); node ${process.version}; ` +
    `${cores} × ${cpu}`,
);
if (cores <= 2) {
  console.log(
    `this machine has ${cores} cores: the server, the ${formatInt(clients)} clients and the trigger share them, ` +
      'so the numbers include contention that separate hosts would not have',
  );
}

let result;
try {
  result = await runBench(options);
} catch (err) {
  console.error(`sdk: ${err.message}`);
  process.exit(2);
}

const ms = (v) => (v === undefined || v === null ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
if (!result.changes) {
  const label = result.status === 'unavailable' ? 'not available' : 'FAILED';
  console.log(`\npitboss: ${label}: ${result.error}`);
} else {
  const n = result.clients;
  const rows = result.changes.map((c) => [
    `${c.index + 1}${c.warmup ? ' (warm-up)' : ''}`,
    c.killed ? 'kill on' : 'kill off',
    c.versions.map((v) => v.version).join(',') || '-',
    `${formatInt(c.received)}/${formatInt(n)}`,
    ms(c.latency?.p50),
    ms(c.latency?.p99),
    ms(c.latency?.max),
    c.received === n && c.wrongValue === 0 ? '✓' : '✗',
  ]);
  rows.push([
    `all timed (${result.timedChanges})`,
    '',
    '',
    `${formatInt(result.latency?.count ?? 0)}/${formatInt(n * result.timedChanges)}`,
    ms(result.latency?.p50),
    ms(result.latency?.p99),
    ms(result.latency?.max),
    result.ok ? '✓' : '✗',
  ]);
  const columns = [
    { header: 'change' },
    { header: 'API call' },
    { header: 'version', align: 'right' },
    { header: 'clients saw it', align: 'right' },
    { header: 'p50 ms', align: 'right' },
    { header: 'p99 ms', align: 'right' },
    { header: 'max ms', align: 'right' },
    { header: 'ok' },
  ];
  console.log('\n' + formatTable(columns, rows));
  console.log(
    `\n${formatInt(result.ready)}/${formatInt(n)} clients ready and ${formatInt(result.streamsOpen)}/${formatInt(n)} ` +
      `streams open after ${formatInt(result.connectMs)} ms; client process RSS ${result.clientRssMB} MB; ` +
      `${result.extraChanges} unexpected change events; ${result.clientErrors} client error events` +
      (result.firstClientError ? ` (first: ${result.firstClientError})` : ''),
  );
  console.log(
    "p50/p99/max: trigger request written (clients' process clock) -> the client's on('change') listener runs " +
      '(snapshot parsed and compiled, flag already evaluating to the new value)',
  );
  if (!result.ok) console.log(`✗ ${result.error}`);
}

// The Node SDK's evaluation throughput, from the flags suite's last results (not re-measured here).
const flagsFile = new URL('../.results/flags.json', import.meta.url);
let sdkRow = null;
try {
  if (existsSync(flagsFile)) {
    const flags = JSON.parse(readFileSync(flagsFile, 'utf8'));
    const find = (name) => flags.impls?.find((i) => i.name === name && i.status === 'ok' && i.nsPerEval);
    const sdk = find('pitboss-sdk');
    if (sdk) {
      const engine = find('pitboss');
      const flagd = find('flagd-core');
      sdkRow = {
        date: flags.date,
        rounds: flags.options?.rounds,
        contexts: flags.options?.contexts,
        nsPerEval: sdk.nsPerEval,
        evalsPerSecond: sdk.evalsPerSecond,
        vsEngine: engine ? sdk.nsPerEval / engine.nsPerEval : null,
        flagdCoreVsSdk: flagd ? flagd.nsPerEval / sdk.nsPerEval : null,
      };
    }
  }
} catch {
  sdkRow = null;
}
if (sdkRow) {
  const evals =
    sdkRow.evalsPerSecond >= 1e6
      ? `${(sdkRow.evalsPerSecond / 1e6).toFixed(2)} M`
      : `${formatInt(sdkRow.evalsPerSecond / 1e3)} k`;
  console.log(
    `\nNode SDK evaluation (flags suite, ${sdkRow.date?.slice(0, 10)}, ${sdkRow.rounds} round(s) × ` +
      `${formatInt(sdkRow.contexts ?? 0)} contexts, decision log off):`,
  );
  console.log(
    formatTable(
      [
        { header: 'implementation' },
        { header: 'ns/eval', align: 'right' },
        { header: 'evals/s', align: 'right' },
        { header: 'vs engine', align: 'right' },
        { header: 'vs flagd-core', align: 'right' },
      ],
      [
        [
          'pitboss-sdk',
          sdkRow.nsPerEval.toFixed(1),
          evals,
          sdkRow.vsEngine ? `${formatRatio(sdkRow.vsEngine)} the engine's time` : '-',
          sdkRow.flagdCoreVsSdk ? `${formatRatio(sdkRow.flagdCoreVsSdk)} faster` : '-',
        ],
      ],
    ),
  );
} else {
  console.log(
    '\nNode SDK evaluation throughput: no pitboss-sdk row in bench/.results/flags.json; run the flags suite ' +
      '(node bench/run.js flags)',
  );
}

if (!values['no-write']) {
  const dir = new URL('../.results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    new URL('sdk.json', dir),
    JSON.stringify({ ...result, sdkEvaluation: sdkRow }, null, 2) + '\n',
  );
  console.log('\nresults: bench/.results/sdk.json');
}

if (!result.ok) {
  console.error('\nsdk: a client missed a change or the run failed (see above)');
  process.exitCode = 1;
}
