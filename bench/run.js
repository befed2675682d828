// Benchmark orchestrator: `node bench/run.js [suite ...] [--options]` (via `npm run bench`).
// Each suite is a standalone script that prints its own table and exits non-zero on a correctness
// failure. Suites run one after another, never in parallel, so they do not steal each other's CPU.
// Leading bare words select suites (default: all); everything from the first `--option` on is passed
// through to every selected suite unchanged.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SUITES = [{ name: 'flags', script: './flags/run.js', about: 'flag evaluation vs peer SDKs' }];

const args = process.argv.slice(2);
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption === -1 ? args : args.slice(0, firstOption);
const passthrough = firstOption === -1 ? [] : args.slice(firstOption);

if (names.includes('help') || passthrough.includes('--help')) {
  console.log('usage: node bench/run.js [suite ...] [--rounds N] [--contexts N] [--only a,b] ...\nsuites:');
  for (const s of SUITES) console.log(`  ${s.name.padEnd(12)} ${s.about}`);
  process.exit(0);
}

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
  const { status, signal } = spawnSync(process.execPath, [script, ...passthrough], { stdio: 'inherit' });
  if (status !== 0) failed.push(`${suite.name} (${signal ?? `exit ${status}`})`);
}

if (failed.length) {
  console.error(`\nbench: failed suite(s): ${failed.join(', ')}`);
  process.exit(1);
}
