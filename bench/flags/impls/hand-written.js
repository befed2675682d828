// Hand-written baseline: the flag's logic as a plain function, i.e. the floor for what a compiled
// evaluator could achieve. Same bucketing as the Pitboss spec (MurmurHash3 of `payments_v2:<id>`).
import { FLAG_KEY } from '../flag.js';
import { bucketOf } from '../murmur3.js';

const THRESHOLD = 250_000; // 25 % of 1_000_000 buckets

function paymentsV2(ctx) {
  const m = ctx.market;
  if ((m === 'DE' || m === 'SE') && bucketOf(FLAG_KEY, ctx.user.id) < THRESHOLD) return true;
  // The rollout rule did not select the unit: fall through to the employee rule (rollout 1.0).
  return ctx.brand === 'X' && ctx.user.isEmployee === true;
}

export default {
  name: 'hand-written',
  pkg: null,
  kind: 'baseline',
  async setup(contexts) {
    return { inputs: contexts, evaluate: paymentsV2 };
  },
};
