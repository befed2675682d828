import { PitbossError } from '../../errors.js';
import type { TrafficRouter } from '../router.js';
import { NopRouter } from './nop.js';

/** What routers may need from the server (the built-in gateway router adds its handle here). */
export type RouterDeps = Readonly<Record<string, unknown>>;

export const ROUTER_KINDS: readonly string[] = ['nop'];

/** The traffic router factory: refuses unknown kinds rather than guessing (STYLE.md, pluggable kinds). */
export function createRouter(kind: string, _deps: RouterDeps = {}): TrafficRouter {
  switch (kind) {
    case 'nop':
      return new NopRouter();
    default:
      throw new PitbossError(
        'VALIDATION_FAILED',
        `unknown traffic router '${kind}' (known: ${ROUTER_KINDS.join(', ')})`,
        {
          kind,
        },
      );
  }
}
