// Pitboss through its Node SDK: `client.isEnabled`, what applications call. Offline with the article's flag as
// bootstrap, decision log off, so the row measures the SDK's own cost over the engine (the `pitboss` row).
import { createClient } from '@pitboss/sdk';
import { ARTICLE_FLAG_JSON, FLAG_KEY } from '../flag.js';

export default {
  name: 'pitboss-sdk',
  pkg: '@pitboss/sdk',
  // Not a peer: it is Pitboss itself, so it stays out of the "fastest peer" comparison.
  kind: 'pitboss-sdk',
  async setup(contexts) {
    const client = createClient({
      environment: 'prod',
      offline: true,
      bootstrap: { flags: [JSON.parse(ARTICLE_FLAG_JSON)] },
      decisionLog: false,
    });
    if (!(await client.ready({ timeoutMs: 1000 })))
      throw new Error('the SDK did not load its bootstrap config');
    return {
      inputs: contexts,
      evaluate: (ctx) => client.isEnabled(FLAG_KEY, ctx),
      close: () => client.close(),
    };
  },
};
