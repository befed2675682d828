// unleash-client, fully offline: the flag comes from `bootstrap.data`, `refreshInterval: 0` makes the
// poller return before any request, `disableMetrics` stops metric registration/posting, and the in-memory
// storage provider avoids writing a backup file. The `url` is required by the constructor but never used.
//
// Unleash enables a toggle if ANY strategy is enabled, which matches the article's fall-through rules:
//   flexibleRollout 25 % (stickiness userId) constrained to market IN [DE, SE]
//   flexibleRollout 100 % constrained to brand IN [X] AND isEmployee IN ['true']
// Unleash context properties are strings, so isEmployee is pre-stringified when the inputs are built.
import { InMemStorageProvider, Unleash } from 'unleash-client';
import { FLAG_KEY } from '../flag.js';

const feature = {
  name: FLAG_KEY,
  enabled: true,
  type: 'release',
  project: 'default',
  stale: false,
  impressionData: false,
  variants: [],
  strategies: [
    {
      name: 'flexibleRollout',
      parameters: { rollout: '25', stickiness: 'userId', groupId: FLAG_KEY },
      constraints: [{ contextName: 'market', operator: 'IN', values: ['DE', 'SE'] }],
    },
    {
      name: 'flexibleRollout',
      parameters: { rollout: '100', stickiness: 'userId', groupId: FLAG_KEY },
      constraints: [
        { contextName: 'brand', operator: 'IN', values: ['X'] },
        { contextName: 'isEmployee', operator: 'IN', values: ['true'] },
      ],
    },
  ],
};

export default {
  name: 'unleash-client',
  pkg: 'unleash-client',
  kind: 'peer',
  async setup(contexts) {
    const unleash = new Unleash({
      appName: 'pitboss-bench',
      url: 'http://127.0.0.1:9/unused', // never contacted: refreshInterval 0 disables fetching
      refreshInterval: 0,
      disableMetrics: true,
      storageProvider: new InMemStorageProvider(),
      bootstrap: { data: [feature] },
      skipInstanceCountWarning: true,
    });
    // An EventEmitter without an 'error' listener throws; surface problems on stderr instead.
    unleash.on('error', (err) => console.error('[unleash] error:', err?.message ?? err));
    unleash.on('warn', (msg) => console.error('[unleash] warn:', msg));
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('unleash did not become ready from bootstrap')), 5000);
      unleash.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const inputs = contexts.map((c) => ({
      userId: c.user.id,
      properties: { market: c.market, brand: c.brand, isEmployee: c.user.isEmployee ? 'true' : 'false' },
    }));
    return {
      inputs,
      evaluate: (ctx) => unleash.isEnabled(FLAG_KEY, ctx),
      close: () => unleash.destroy(),
    };
  },
};
