// @growthbook/growthbook with the multi-user server API (GrowthBookClient, SDK >= 1.3): one client holds
// the feature definitions, each evaluation passes a per-user context. `initSync({ payload })` loads the
// features from memory; with neither `streaming` nor `pollingInterval` no background sync (and no fetch)
// is ever started, and no clientKey/apiHost is configured at all.
//
// GrowthBook force rules fall through when the user is outside `coverage`, like Pitboss, so the article's
// rule order is kept: market rollout (coverage 0.25, hashed on `id`), then the employee rule.
import { GrowthBookClient } from '@growthbook/growthbook';
import { FLAG_KEY } from '../flag.js';

const features = {
  [FLAG_KEY]: {
    defaultValue: false,
    rules: [
      {
        id: 'markets',
        condition: { market: { $in: ['DE', 'SE'] } },
        force: true,
        coverage: 0.25,
        hashAttribute: 'id',
      },
      { id: 'employees', condition: { brand: 'X', isEmployee: true }, force: true },
    ],
  },
};

export default {
  name: 'growthbook',
  pkg: '@growthbook/growthbook',
  kind: 'peer',
  async setup(contexts) {
    const client = new GrowthBookClient({ enableDevMode: false });
    client.initSync({ payload: { features } });
    const inputs = contexts.map((c) => ({
      attributes: { id: c.user.id, market: c.market, brand: c.brand, isEmployee: c.user.isEmployee },
    }));
    return {
      inputs,
      evaluate: (userContext) => client.isOn(FLAG_KEY, userContext),
      close: () => client.destroy(),
    };
  },
};
