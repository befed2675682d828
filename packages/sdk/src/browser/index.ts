/**
 * `@pitboss/sdk/browser`: the browser SDK. Remote evaluation only — it never imports `@pitboss/engine`, so no
 * targeting rule is shipped to (or parsed in) the page. Zero dependencies; the bundle budget is checked by
 * `scripts/check-size.mjs`.
 */
export type { ClientEvent, ClientListener, ClientStatus, EvaluationDetails } from '../shared/types.js';
export {
  type BrowserClientOptions,
  createBrowserClient,
  type PitbossBrowserClient,
} from './browser-client.js';
export { PitbossHttpError } from './remote-evaluation.js';
