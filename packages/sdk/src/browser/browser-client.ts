import { Backoff } from '../shared/backoff.js';
import { Emitter } from '../shared/emitter.js';
import type { ClientEvent, ClientListener, ClientStatus, EvaluationDetails } from '../shared/types.js';
import { openEventStream } from './event-stream.js';
import { changedKeys, details, typedValue } from './flag-values.js';
import {
  type Endpoint,
  evaluateRemote,
  PitbossHttpError,
  type RemoteResult,
  sdkUrl,
} from './remote-evaluation.js';

/** Options of {@link createBrowserClient}. */
export interface BrowserClientOptions {
  /** The control plane's base URL. */
  url: string;
  /** An SDK key (`pb_sdk_…`) of `environment`. */
  sdkKey: string;
  environment: string;
  /** The player, session, market… the server evaluates for; replace it with `setContext`. */
  context: Record<string, unknown>;
  /** Follow changes over the SDK stream. Default true; false evaluates only at start and on `setContext`. */
  streaming?: boolean;
  fetch?: typeof fetch;
  /** Back-off of stream reconnections and evaluation retries. Default 1 s doubling up to 60 s, jittered. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Wait after a change event before re-evaluating, plus up to as much again of jitter. Default 250 ms. */
  debounceMs?: number;
  /** A stream silent this long is reconnected. Default 35 s (two server heartbeats). */
  idleTimeoutMs?: number;
}

/** A browser client: values evaluated by the control plane for one context, kept current. */
export interface PitbossBrowserClient {
  /**
   * Settles with the first evaluation: true with values, false if it failed (then `value` serves fallbacks until
   * a retry succeeds and emits `ready`), on timeout or on `close`. Never rejects.
   */
  ready(options?: { timeoutMs?: number }): Promise<boolean>;
  readonly status: ClientStatus;
  /** The configuration version of the cached values. */
  readonly version: number | undefined;
  /** Evaluates remotely for a new context; resolves once its values (or its failure) are in. Never rejects. */
  setContext(context: Record<string, unknown>): Promise<void>;
  isEnabled(flagKey: string): boolean;
  variant(flagKey: string): string | undefined;
  value<T>(flagKey: string, fallback: T): T;
  evaluate(flagKey: string): EvaluationDetails;
  /** `ready`, `change` (`{version, flagKeys}`), `error` (the error), `stale`. Returns the unsubscribe function. */
  on(event: ClientEvent, listener: ClientListener): () => void;
  close(): void;
}

/**
 * A client that evaluates on the control plane (`POST /sdk/v1/evaluate`) so no targeting rule reaches the
 * browser, caches the values in memory and re-evaluates when the stream says the configuration changed.
 * Lookups are synchronous and never throw.
 *
 * @example
 * const pitboss = createBrowserClient({
 *   url: 'https://flags.example.com', sdkKey: 'pb_sdk_…', environment: 'prod',
 *   context: { user: { id: 'p-42' }, market: 'DE' },
 * });
 * await pitboss.ready({ timeoutMs: 2000 });
 * if (pitboss.isEnabled('payments_v2')) showNewCheckout();
 * pitboss.on('change', () => rerender());
 */
export function createBrowserClient(options: BrowserClientOptions): PitbossBrowserClient {
  const endpoint: Endpoint = {
    url: options.url,
    sdkKey: options.sdkKey,
    environment: options.environment,
    // A plain call, never `options.fetch(...)`: browsers throw "Illegal invocation" when fetch's `this` is not window.
    fetch: (input, init) => (options.fetch ?? globalThis.fetch)(input, init),
  };
  const debounceMs = options.debounceMs ?? 250;
  const events = new Emitter();
  const retries = new Backoff(options.reconnect);
  let context = options.context;
  let values: ReadonlyMap<string, RemoteResult> | undefined;
  let version: number | undefined;
  /** The newest version the stream announced. */
  let seen = -1;
  let status: ClientStatus = 'NOT_READY';
  let failed = false;
  let closed = false;
  let generation = 0;
  let inflight: AbortController | undefined;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let stopStream = () => {};
  let settle: (ok: boolean) => void = () => {};
  const first = new Promise<boolean>((resolve) => {
    settle = resolve;
  });

  const setStatus = (next: ClientStatus) => {
    const was = status;
    status = next;
    if (next === 'STALE' && was !== 'STALE') events.emit('stale');
  };

  /** Re-evaluates after `delay`; a refresh already waiting absorbs this one, so a burst of changes costs one call. */
  const schedule = (delay: number) => {
    if (pending === undefined && !closed) pending = setTimeout(() => void refresh(), delay);
  };

  // The newest refresh wins: it aborts the one in flight (an old context's or an old version's answer is moot).
  const refresh = async (): Promise<void> => {
    clearTimeout(pending);
    pending = undefined;
    const mine = ++generation;
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    try {
      const answer = await evaluateRemote(endpoint, context, controller.signal);
      if (mine !== generation || closed) return;
      const before = values;
      values = answer.values;
      version = answer.version;
      failed = false;
      retries.reset();
      setStatus('READY');
      // Another replica may answer before it heard of the change the stream announced: ask again shortly.
      if (version < seen) schedule(debounceMs * (1 + Math.random()));
      if (before === undefined) {
        settle(true);
        events.emit('ready');
        return;
      }
      const flagKeys = changedKeys(before, answer.values);
      if (flagKeys.length > 0) events.emit('change', { version, flagKeys });
    } catch (error) {
      if (mine !== generation || closed) return;
      failed = true;
      // The last values stay: a stale answer beats the fallback for a player in the middle of a session.
      setStatus(values === undefined ? 'ERROR' : 'STALE');
      settle(false);
      events.emit('error', error);
      if (!(error instanceof PitbossHttpError) || error.retryable) schedule(retries.next());
    }
  };

  const startStream = () => {
    stopStream = openEventStream(
      {
        url: sdkUrl(endpoint, 'stream'),
        headers: { authorization: `Bearer ${options.sdkKey}` },
        fetch: endpoint.fetch,
        ...(options.reconnect ? { reconnect: options.reconnect } : {}),
        ...(options.idleTimeoutMs ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        // Resume from the version of our values, not the last id seen: if the server is ahead, it answers with a
        // snapshot event and we re-evaluate; if not, `: up to date` confirms the values are current.
        lastEventId: () => (version === undefined ? undefined : String(version)),
      },
      {
        onEvent(message) {
          if (message.event !== 'snapshot' && message.event !== 'change') return;
          // Only the id (the version) is read. The data is the whole config, rules included, and is not ours to use.
          const next = Number(message.id);
          if (next > seen) seen = next;
          if (!(next <= (version ?? -1)) || failed) schedule(debounceMs * (1 + Math.random()));
        },
        onComment(text) {
          if (text === 'up to date' && status === 'STALE' && !failed) setStatus('READY');
        },
        onDrop() {
          if (status === 'READY') setStatus('STALE');
        },
        onFatal(error) {
          if (status === 'READY') setStatus('STALE');
          events.emit('error', error);
        },
      },
    );
  };

  void refresh().then(() => {
    if (options.streaming !== false && !closed) startStream();
  });

  return {
    ready(opts = {}) {
      if (values !== undefined) return Promise.resolve(true);
      if (opts.timeoutMs === undefined) return first;
      const timeoutMs = opts.timeoutMs;
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        void first.then((ok) => {
          clearTimeout(timer);
          resolve(ok);
        });
      });
    },
    get status() {
      return status;
    },
    get version() {
      return version;
    },
    setContext(next) {
      context = next;
      return closed ? Promise.resolve() : refresh();
    },
    isEnabled: (flagKey) => typedValue(values?.get(flagKey), false),
    variant: (flagKey) => values?.get(flagKey)?.variant ?? undefined,
    value: (flagKey, fallback) => typedValue(values?.get(flagKey), fallback),
    evaluate: (flagKey) => details(flagKey, values),
    on: (event, listener) => events.on(event, listener),
    close() {
      closed = true;
      clearTimeout(pending);
      inflight?.abort();
      stopStream();
      settle(false);
      events.clear();
    },
  };
}
