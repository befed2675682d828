// @launchdarkly/node-server-sdk, offline via the TestData integration: the flag is injected as a full
// LaunchDarkly flag model with `usePreconfiguredFlag` (the builder API cannot express percentage rollouts),
// so the SDK evaluates real rules + a weighted rollout. `updateProcessor: td.getFactory()` replaces the
// streaming connection, `sendEvents: false` and `diagnosticOptOut: true` stop every outbound request.
//
// LaunchDarkly rules are first-match and a rollout rule never falls through, so the employee rule goes
// first (equivalent: it serves `true` to 100 % of its matches). `variation` is asynchronous in the Node
// server SDK (the feature store API is promise-based), so the harness awaits every evaluation.
import { basicLogger, init } from '@launchdarkly/node-server-sdk';
import { TestData } from '@launchdarkly/node-server-sdk/integrations';
import { FLAG_KEY } from '../flag.js';

const flag = {
  key: FLAG_KEY,
  version: 1,
  on: true,
  variations: [false, true],
  offVariation: 0,
  fallthrough: { variation: 0 },
  targets: [],
  contextTargets: [],
  prerequisites: [],
  salt: FLAG_KEY,
  trackEvents: false,
  trackEventsFallthrough: false,
  clientSide: false,
  rules: [
    {
      id: 'employees',
      clauses: [
        { contextKind: 'user', attribute: 'brand', op: 'in', values: ['X'], negate: false },
        { contextKind: 'user', attribute: 'isEmployee', op: 'in', values: [true], negate: false },
      ],
      variation: 1,
      trackEvents: false,
    },
    {
      id: 'markets',
      clauses: [{ contextKind: 'user', attribute: 'market', op: 'in', values: ['DE', 'SE'], negate: false }],
      // Weights are in units of 1/100_000.
      rollout: {
        bucketBy: 'key',
        variations: [
          { variation: 1, weight: 25_000 },
          { variation: 0, weight: 75_000 },
        ],
      },
      trackEvents: false,
    },
  ],
};

export default {
  name: 'launchdarkly',
  pkg: '@launchdarkly/node-server-sdk',
  kind: 'peer',
  async setup(contexts) {
    const td = new TestData();
    await td.usePreconfiguredFlag(flag);
    const client = init('sdk-key-offline-bench', {
      updateProcessor: td.getFactory(),
      sendEvents: false,
      diagnosticOptOut: true,
      logger: basicLogger({ level: 'warn', destination: (line) => console.error(line) }),
    });
    await client.waitForInitialization({ timeout: 5 });
    const inputs = contexts.map((c) => ({
      kind: 'user',
      key: c.user.id,
      market: c.market,
      brand: c.brand,
      isEmployee: c.user.isEmployee,
    }));
    return {
      inputs,
      evaluate: (ctx) => client.variation(FLAG_KEY, ctx, false),
      isAsync: true,
      close: () => client.close(),
    };
  },
};
