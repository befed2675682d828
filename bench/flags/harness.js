// Flag-evaluation benchmark driver: runs every implementation in its own child process (./worker.js),
// interleaved round-robin over several rounds, then checks correctness and summarises. No printing here
// (see ./run.js), so the vitest smoke test can call it too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median } from '../lib/table.js';
import { packageVersion } from '../lib/versions.js';
import { EXPECTED_ON_FRACTION, ROLLOUT } from './contexts.js';
import { BASELINE, IMPLS, REFERENCE } from './impls/index.js';

export const DEFAULTS = { rounds: 5, contexts: 1_000_000, warmup: 200_000 };
export const TARGETS = { minSpeedupVsFastestPeer: 20, maxSlowdownVsHandWritten: 1.5 };

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));

/**
 * ±0.3 percentage points as asked, widened to 4 standard errors for small smoke runs so a correct
 * implementation does not fail on sampling noise alone.
 */
export function defaultTolerance(contexts) {
  const p = EXPECTED_ON_FRACTION;
  return Math.max(0.003, 4 * Math.sqrt((p * (1 - p)) / contexts));
}

function runWorker(name, contexts, warmup, onStderr) {
  return new Promise((resolve) => {
    // --expose-gc lets the worker collect setup garbage before timing; NODE_ENV=production is how the
    // SDKs run in a real service (GrowthBook, for one, skips debug logging then).
    const child = spawn(process.execPath, ['--expose-gc', WORKER, name, String(contexts), String(warmup)], {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => onStderr?.(name, String(chunk)));
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        resolve({ impl: name, error: `worker exited ${signal ?? code} without a result` });
      }
    });
  });
}

/**
 * @param {{ rounds?: number, contexts?: number, warmup?: number, only?: string[], tolerance?: number,
 *   onProgress?: (msg: string) => void, onStderr?: (impl: string, text: string) => void }} [options]
 */
export async function runBench(options = {}) {
  const rounds = options.rounds ?? DEFAULTS.rounds;
  const contexts = options.contexts ?? DEFAULTS.contexts;
  const warmup = options.warmup ?? Math.min(DEFAULTS.warmup, contexts);
  const tolerance = options.tolerance ?? defaultTolerance(contexts);
  const only = options.only?.length ? options.only : null;
  if (only) {
    const unknown = only.filter((name) => !IMPLS.some((impl) => impl.name === name));
    if (unknown.length) throw new Error(`unknown implementation(s): ${unknown.join(', ')}`);
  }
  const names = IMPLS.map((impl) => impl.name).filter((name) => !only || only.includes(name));

  /** @type {Map<string, object[]>} */
  const samples = new Map(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the start of each round so no implementation always runs first (cold disk cache, turbo state).
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      // An implementation that cannot be imported will not start working in a later round.
      if (samples.get(name).some((s) => s.unavailable)) continue;
      options.onProgress?.(`round ${round + 1}/${rounds}: ${name}`);
      samples.get(name).push(await runWorker(name, contexts, warmup, options.onStderr));
    }
  }

  const impls = names.map((name) => summarise(name, samples.get(name)));
  // Pitboss is only a yardstick (for ON fraction and speed) once it is itself correct.
  const pitboss = impls.find((r) => r.name === REFERENCE);
  if (pitboss) checkCorrectness(pitboss, null, tolerance);
  const reference = pitboss?.status === 'ok' ? pitboss : null;
  for (const r of impls) if (r !== pitboss) checkCorrectness(r, reference, tolerance);
  addRatios(impls, reference);

  return {
    suite: 'flags',
    date: new Date().toISOString(),
    node: process.version,
    options: { rounds, contexts, warmup, tolerance, only },
    expectedOnFraction: EXPECTED_ON_FRACTION,
    impls,
    summary: summary(impls, reference),
    ok: impls.every((r) => r.status !== 'failed'),
  };
}

function summarise(name, runs) {
  const entry = { name, kind: name === REFERENCE ? 'pitboss' : name === BASELINE ? 'baseline' : 'peer' };
  const failedRun = runs.find((s) => s.error);
  if (failedRun) {
    return {
      ...entry,
      version: '-',
      status: failedRun.unavailable ? 'unavailable' : 'failed',
      error: failedRun.error,
    };
  }
  const first = runs[0];
  const nsRounds = runs.map((s) => s.nsPerEval);
  const nsPerEval = median(nsRounds);
  return {
    ...entry,
    kind: first.kind ?? entry.kind,
    version: packageVersion(first.pkg),
    status: 'ok',
    nsPerEval,
    nsPerEvalRounds: nsRounds,
    evalsPerSecond: 1e9 / nsPerEval,
    onCount: first.onCount,
    onFraction: first.onFraction,
    segments: first.segments,
    // Contexts are deterministic, so every round must count exactly the same ON players.
    stableAcrossRounds: runs.every((s) => s.onCount === first.onCount),
    networkAttempts: Math.max(...runs.map((s) => s.networkAttempts)),
  };
}

function checkCorrectness(r, reference, tolerance) {
  if (r.status !== 'ok') return;
  const problems = [];
  const vsExpected = r.onFraction - EXPECTED_ON_FRACTION;
  if (Math.abs(vsExpected) > tolerance) problems.push(`ON fraction off expectation by ${pp(vsExpected)}`);
  if (reference && Math.abs(r.onFraction - reference.onFraction) > tolerance) {
    problems.push(`ON fraction off Pitboss by ${pp(r.onFraction - reference.onFraction)}`);
  }
  const seg = r.segments;
  if (seg.employeesOn !== seg.employees) {
    problems.push(`${seg.employees - seg.employeesOn}/${seg.employees} brand-X employees OFF`);
  }
  if (seg.othersOn !== 0) problems.push(`${seg.othersOn}/${seg.others} players outside the rules ON`);
  const rolloutTolerance = Math.max(0.01, 4 * Math.sqrt((ROLLOUT * (1 - ROLLOUT)) / seg.rollout));
  const rolloutFraction = seg.rolloutOn / seg.rollout;
  if (Math.abs(rolloutFraction - ROLLOUT) > rolloutTolerance) {
    problems.push(`rollout markets ${(rolloutFraction * 100).toFixed(2)} % ON, expected ~25 %`);
  }
  if (!r.stableAcrossRounds) problems.push('ON count differs between rounds');
  if (r.networkAttempts > 0) problems.push(`${r.networkAttempts} network connection attempt(s)`);
  r.correct = problems.length === 0;
  if (!r.correct) {
    r.status = 'failed';
    r.error = problems.join('; ');
  }
}

function pp(delta) {
  return (delta >= 0 ? '+' : '') + (delta * 100).toFixed(2) + ' pp';
}

/** Peers: how many times slower than Pitboss. Hand-written: Pitboss / hand-written (the overhead factor). */
function addRatios(impls, reference) {
  for (const r of impls) {
    if (!reference || r.nsPerEval === undefined) continue;
    r.ratioVsPitboss =
      r.kind === 'baseline' ? reference.nsPerEval / r.nsPerEval : r.nsPerEval / reference.nsPerEval;
  }
}

function summary(impls, reference) {
  const peers = impls.filter((r) => r.kind === 'peer' && r.nsPerEval !== undefined);
  const fastestPeer = peers.reduce((best, r) => (!best || r.nsPerEval < best.nsPerEval ? r : best), null);
  const baseline = impls.find((r) => r.kind === 'baseline' && r.nsPerEval !== undefined);
  const pitboss = impls.find((r) => r.name === REFERENCE);
  const out = { pitbossStatus: pitboss?.status ?? 'not run', fastestPeer: fastestPeer?.name ?? null };
  if (reference && fastestPeer) {
    out.speedupVsFastestPeer = fastestPeer.nsPerEval / reference.nsPerEval;
    out.meetsPeerTarget = out.speedupVsFastestPeer >= TARGETS.minSpeedupVsFastestPeer;
  }
  if (reference && baseline) {
    out.slowdownVsHandWritten = reference.nsPerEval / baseline.nsPerEval;
    out.meetsHandWrittenTarget = out.slowdownVsHandWritten <= TARGETS.maxSlowdownVsHandWritten;
    // Informational: equal counts strongly suggest Pitboss buckets exactly like the hand-written spec.
    out.sameBucketsAsHandWritten = reference.onCount === baseline.onCount;
  }
  return out;
}
