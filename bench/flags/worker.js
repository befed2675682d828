// One benchmark process: one implementation, one timed pass. Spawned by ./harness.js.
// argv: <impl-name> <contexts> <warmup>
// Prints exactly one JSON line on stdout: { impl, pkg, kind, nsPerEval, onFraction, onCount, ... } or
// { impl, error, unavailable: true } when it cannot be imported, { impl, error } when setup or evaluation throws.
import { networkAttempts } from '../lib/no-network.js';
import { makeContexts, ROLLOUT_MARKETS } from './contexts.js';
import { IMPLS } from './impls/index.js';

const [name, contextsArg, warmupArg] = process.argv.slice(2);
const n = Number(contextsArg);
const warmup = Number(warmupArg);
const SEGMENT_SAMPLE = 100_000;

function emit(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

// Separate sync and async loops: the sync one must not pay for a microtask per call, and each process
// only ever runs one of them, so each loop stays monomorphic for its single implementation.
function passSync(evaluate, inputs, count) {
  let on = 0;
  const len = inputs.length;
  for (let i = 0; i < count; i++) {
    if (evaluate(inputs[i % len]) === true) on++;
  }
  return on;
}

async function passAsync(evaluate, inputs, count) {
  let on = 0;
  const len = inputs.length;
  for (let i = 0; i < count; i++) {
    if ((await evaluate(inputs[i % len])) === true) on++;
  }
  return on;
}

/**
 * Untimed per-segment tally over (up to) the first 100k contexts. The overall ON fraction alone barely
 * notices a missing employee rule (it is worth 0.3 pp), the segments do: brand-X employees outside the
 * rollout markets must all be ON, everybody else outside those markets OFF, and about 25 % of the
 * rollout markets' non-employees ON.
 */
async function checkSegments(evaluate, isAsync, inputs, contexts) {
  const seg = { employees: 0, employeesOn: 0, others: 0, othersOn: 0, rollout: 0, rolloutOn: 0 };
  const count = Math.min(contexts.length, SEGMENT_SAMPLE);
  for (let i = 0; i < count; i++) {
    const c = contexts[i];
    const on = (isAsync ? await evaluate(inputs[i]) : evaluate(inputs[i])) === true;
    const employeeX = c.brand === 'X' && c.user.isEmployee;
    const rolloutMarket = ROLLOUT_MARKETS.includes(c.market);
    const key = employeeX ? 'employees' : rolloutMarket ? 'rollout' : 'others';
    seg[key]++;
    if (on) seg[key + 'On']++;
  }
  return seg;
}

async function main() {
  const entry = IMPLS.find((impl) => impl.name === name);
  if (!entry) throw new Error(`unknown implementation '${name}'`);
  let adapter;
  try {
    adapter = (await import(new URL(entry.module, new URL('./impls/', import.meta.url)))).default;
  } catch (err) {
    emit({ impl: name, unavailable: true, error: `${err?.message ?? err}`.split('\n')[0] });
    return;
  }

  // Contexts are built (and converted to the SDK's native shape inside setup) before any timing.
  const contexts = makeContexts(n);
  const { inputs, evaluate, isAsync = false, close } = await adapter.setup(contexts);
  if (inputs.length !== n) throw new Error(`setup returned ${inputs.length} inputs, expected ${n}`);
  const pass = isAsync ? passAsync : passSync;

  await pass(evaluate, inputs, warmup);
  globalThis.gc?.(); // start the timed pass with a clean young generation when --expose-gc is given

  const t0 = process.hrtime.bigint();
  const onCount = await pass(evaluate, inputs, n);
  const elapsed = process.hrtime.bigint() - t0;

  const segments = await checkSegments(evaluate, isAsync, inputs, contexts);
  await close?.();
  emit({
    impl: name,
    pkg: adapter.pkg,
    kind: adapter.kind,
    contexts: n,
    nsPerEval: Number(elapsed) / n,
    onCount,
    onFraction: onCount / n,
    networkAttempts: networkAttempts.length,
    segments,
  });
}

main().then(
  // Some SDKs keep timers alive after close(); the result is out, so leave deliberately.
  () => process.exit(0),
  (err) => {
    emit({ impl: name, error: `${err?.stack ?? err}`.split('\n').slice(0, 3).join(' | ') });
    process.exit(0);
  },
);
