// Benchmark orchestrator: `node bench/run.js [suite ...] [--options]` (via `npm run bench`).
// Each suite is a standalone script that prints its own table and exits non-zero on a correctness
// failure. Suites run one after another, never in parallel, so they do not steal each other's CPU.
// Leading bare words select suites (default: all); each `--option` after them is passed to every selected
// suite that accepts it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// `options`: the options each suite accepts ('value' takes an argument, 'flag' does not). An option given on
// the command line goes to every selected suite that accepts it, so `--sizes` (sse) never reaches `flags`.
const SUITES = [
  {
    name: 'flags',
    script: './flags/run.js',
    about: 'flag evaluation vs peer SDKs',
    options: {
      rounds: 'value',
      contexts: 'value',
      warmup: 'value',
      only: 'value',
      tolerance: 'value',
      'no-write': 'flag',
    },
  },
  {
    name: 'sse',
    script: './sse/run.js',
    about: 'flag change to receipt on 1,000 / 10,000 SSE streams vs bare servers',
    options: {
      sizes: 'value',
      rounds: 'value',
      repeats: 'value',
      'warmup-changes': 'value',
      only: 'value',
      threads: 'value',
      'no-write': 'flag',
    },
  },
  {
    name: 'sdk',
    script: './sdk/run.js',
    about: "API change to on('change') in 1,000 Node SDK clients (separate process from the server)",
    options: { clients: 'value', repeats: 'value', 'warmup-changes': 'value', 'no-write': 'flag' },
  },
  {
    name: 'gateway',
    script: './gateway/run.js',
    about: 'proxy throughput and added latency: Pitboss gateway vs nginx split_clients vs a bare Node proxy',
    options: {
      duration: 'value',
      rounds: 'value',
      rate: 'value',
      connections: 'value',
      only: 'value',
      'no-write': 'flag',
    },
  },
  {
    name: 'detection',
    script: './detection/run.js',
    about:
      'canary analysis: time to rollback and false rollbacks, Pitboss vs Argo-style vs Flagger (simulated)',
    options: {
      runs: 'value',
      'healthy-runs': 'value',
      weights: 'value',
      scenarios: 'value',
      only: 'value',
      seed: 'value',
      workers: 'value',
      'cmp-tolerance': 'value',
      'cmp-interval': 'value',
      'no-write': 'flag',
    },
  },
];

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption === -1 ? args : args.slice(0, firstOption);
const passthrough = firstOption === -1 ? [] : args.slice(firstOption);

if (names.includes('help') || passthrough.includes('--help')) {
  console.log('usage: node bench/run.js [suite ...] [--option value ...]\nsuites:');
  for (const s of SUITES) {
    const options = Object.keys(s.options).map((o) => `--${o}`);
    console.log(`  ${s.name.padEnd(12)} ${s.about}\n  ${''.padEnd(12)} ${options.join(' ')}`);
  }
  process.exit(0);
}

/** Splits the options into [name, ...argv words] groups: `--a 1`, `--a=1`, `--flag`. */
function optionGroups(words) {
  const groups = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (!word.startsWith('--')) {
      console.error(`unexpected argument '${word}' (suite names go before the options)`);
      process.exit(2);
    }
    const name = word.slice(2).split('=')[0];
    const kind = SUITES.map((s) => s.options[name]).find(Boolean);
    if (!kind) {
      console.error(`unknown option --${name}; run 'node bench/run.js help'`);
      process.exit(2);
    }
    const takesNext = kind === 'value' && !word.includes('=') && i + 1 < words.length;
    groups.push({ name, words: takesNext ? [word, words[++i]] : [word] });
  }
  return groups;
}
const options = optionGroups(passthrough);

const unknown = names.filter((n) => !SUITES.some((s) => s.name === n));
if (unknown.length) {
  console.error(
    `unknown suite(s): ${unknown.join(', ')}; available: ${SUITES.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

const selected = names.length ? SUITES.filter((s) => names.includes(s.name)) : SUITES;
const failed = [];
for (const suite of selected) {
  const script = fileURLToPath(new URL(suite.script, import.meta.url));
  const own = options.filter((o) => suite.options[o.name]).flatMap((o) => o.words);
  const { status, signal } = spawnSync(process.execPath, [script, ...own], { stdio: 'inherit' });
  if (status !== 0) failed.push(`${suite.name} (${signal ?? `exit ${status}`})`);
}

if (failed.length) {
  console.error(`\nbench: failed suite(s): ${failed.join(', ')}`);
  process.exit(1);
}
