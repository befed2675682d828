/**
 * Types shared by every Pitboss SDK (Node, browser, OpenFeature providers).
 * They mirror the engine's evaluation result so a value can cross SDKs without translation.
 */

/**
 * Lifecycle of a client: `NOT_READY` until a first config, `READY` while in contact,
 * `STALE` when the control plane has been unreachable for a while (the last config is still served),
 * `ERROR` when the client cannot get any config (e.g. the key is revoked).
 */
export type ClientStatus = 'NOT_READY' | 'READY' | 'STALE' | 'ERROR';

/**
 * The full answer of one evaluation. `reason` and `errorCode` are the engine's closed sets
 * (OpenFeature's vocabulary: `TARGETING_MATCH`, `SPLIT`, `DEFAULT`, …; `FLAG_NOT_FOUND`, `TYPE_MISMATCH`, …).
 *
 * @example
 * const d: EvaluationDetails<boolean> = { flagKey: 'payments_v2', value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 };
 */
export interface EvaluationDetails<T = unknown> {
  flagKey: string;
  value: T;
  variant?: string;
  reason: string;
  ruleIndex?: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Events a client emits: `ready` (first config), `change` (`{version}`), `error` (the error), `stale`. */
export type ClientEvent = 'ready' | 'change' | 'error' | 'stale';

/** A listener for {@link ClientEvent}s; the payload depends on the event. */
export type ClientListener = (payload?: unknown) => void;

/** Per-flag/variant evaluation counter, as returned by `metrics()`. */
export interface FlagMetric {
  flag: string;
  variant: string;
  count: number;
}
