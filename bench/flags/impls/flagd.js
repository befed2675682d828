// @openfeature/flagd-core: the in-process evaluator behind flagd's Node providers, used directly with a
// flag configuration string (no flagd daemon, no sync stream). Targeting is JsonLogic: an if/else chain,
// employee rule first (first-match), then `fractional` for the 25 % market rollout. Without an explicit
// bucketing expression `fractional` hashes `<flagKey><targetingKey>` with MurmurHash3.
import { FlagdCore } from '@openfeature/flagd-core';
import { FLAG_KEY } from '../flag.js';

const config = {
  flags: {
    [FLAG_KEY]: {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: {
        if: [
          { and: [{ '==': [{ var: 'brand' }, 'X'] }, { '==': [{ var: 'isEmployee' }, true] }] },
          'on',
          { in: [{ var: 'market' }, ['DE', 'SE']] },
          {
            fractional: [
              ['on', 25],
              ['off', 75],
            ],
          },
          'off',
        ],
      },
    },
  },
};

/** flagd-core logs targeting problems at debug level; keep real errors visible on stderr. */
const logger = {
  error: (...args) => console.error('[flagd]', ...args),
  warn: (...args) => console.error('[flagd]', ...args),
  info: () => {},
  debug: () => {},
};

export default {
  name: 'flagd-core',
  pkg: '@openfeature/flagd-core',
  kind: 'peer',
  async setup(contexts) {
    const core = new FlagdCore(undefined, logger);
    core.setConfigurations(JSON.stringify(config));
    const inputs = contexts.map((c) => ({
      targetingKey: c.user.id,
      market: c.market,
      brand: c.brand,
      isEmployee: c.user.isEmployee,
    }));
    return {
      inputs,
      evaluate: (evalCtx) => core.resolveBooleanEvaluation(FLAG_KEY, false, evalCtx, logger).value,
    };
  },
};
