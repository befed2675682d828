import type { ClientStatus, EvaluationDetails, FlagMetric } from '../shared/types.js';

/** Decision-log settings; see {@link ClientOptions.decisionLog}. */
export interface DecisionLogOptions {
  /** Fraction of decisions kept after the first of each flag/variant, 0–1. Default 1. */
  sampleRate?: number;
  /** Kept decisions per flag and second, after sampling (the first of each flag/variant always passes). Default 100. */
  maxPerFlagPerSecond?: number;
  /** How often the queue is posted. Default 5000 ms. */
  flushIntervalMs?: number;
  /** Decisions per POST, at most 1000 (the server's limit). Default 1000. */
  maxBatch?: number;
  /** Decisions held in memory; past it the oldest are dropped (and counted). Default 10 000. */
  maxQueue?: number;
}

/** Options of {@link createClient}. `url` and `sdkKey` are required unless `offline`. */
export interface ClientOptions {
  url?: string;
  sdkKey?: string;
  environment: string;
  /** No network at all: bootstrap and cache file only. */
  offline?: boolean;
  /** A config document (or snapshot JSON `{version, environment, config}`), or a path to a file holding one. */
  bootstrap?: object | string;
  /** Persistent last-good snapshot: written atomically on every new version, read at start. */
  cacheFile?: string;
  /** Default true; false polls the snapshot every `pollIntervalMs`. */
  streaming?: boolean;
  /** Default 30 000; also the polling interval when the stream keeps failing. */
  pollIntervalMs?: number;
  /** Jittered exponential back-off of stream reconnections. Defaults 1000 / 60 000. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Records evaluations and posts them to the control plane. Default off. */
  decisionLog?: false | DecisionLogOptions;
  fetch?: typeof fetch;
  logger?: { warn(msg: string, err?: unknown): void };
  /** The clock rules' `now()` reads and timestamps use, epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** No contact with the control plane for this long → status `STALE` and a `stale` event. Default 2 × poll, ≥ 60 s. */
  staleAfterMs?: number;
  /** Stream failures in a row before falling back to polling. Default 3. */
  streamFailuresBeforePolling?: number;
  /** While polling as a fallback, how long before trying the stream again. Default 5 min. */
  streamRetryMs?: number;
  /** A stream silent this long is dead (the server sends heartbeats every 15 s). Default 35 000. */
  streamIdleTimeoutMs?: number;
}

/** What `flagType` answers: the engine's value types. */
export type FlagType = 'boolean' | 'string' | 'number' | 'object';

/**
 * A Pitboss server-side client: evaluates locally with the last config it received, never throws and never
 * waits on the network.
 *
 * @example
 * const client = createClient({ url: 'https://pitboss.example', sdkKey: process.env.PITBOSS_SDK_KEY, environment: 'prod' });
 * await client.ready({ timeoutMs: 2000 });
 * if (client.isEnabled('payments_v2', { user: { id: 'p-42' }, market: 'DE' })) { … }
 */
export interface PitbossClient {
  /** True once a config is loaded (server, cache or bootstrap); false on timeout. Never rejects. */
  ready(options?: { timeoutMs?: number }): Promise<boolean>;
  readonly status: ClientStatus;
  readonly version: number | undefined;
  isEnabled(flagKey: string, context?: Record<string, unknown>): boolean;
  variant(flagKey: string, context?: Record<string, unknown>): string | undefined;
  /** The flag's value, or `fallback` on any error or when the flag's type is not the fallback's. */
  value<T extends boolean | string | number | object>(
    flagKey: string,
    context: Record<string, unknown> | undefined,
    fallback: T,
  ): T;
  evaluate(flagKey: string, context?: Record<string, unknown>): EvaluationDetails;
  flagType(flagKey: string): FlagType | undefined;
  on(event: 'ready' | 'change' | 'error' | 'stale', listener: (payload?: unknown) => void): () => void;
  /** Evaluations per flag and variant since start (variant `''` for errors). */
  metrics(): FlagMetric[];
  /** Decision-log counters: decisions queued, posted and dropped (queue overflow or refused batches). */
  decisionStats(): { queued: number; posted: number; dropped: number };
  /** Stops delivery, flushes the decision log (bounded), and ends every timer. */
  close(): Promise<void>;
}
