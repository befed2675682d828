import type { ClientEvent, ClientListener, ClientStatus } from '../shared/types.js';

/** The part of a Pitboss client (Node or browser) the bridge listens to. */
export interface ClientEventSource {
  readonly status: ClientStatus;
  on(event: ClientEvent, listener: ClientListener): () => void;
}

/**
 * Where the bridge sends OpenFeature provider events. Each provider implements it with its own SDK's
 * `ProviderEvents` enum, so this file imports neither SDK.
 */
export interface ProviderEventSink {
  ready(): void;
  configurationChanged(details: { flagsChanged?: string[]; metadata?: Record<string, number> }): void;
  error(message: string): void;
  stale(message: string): void;
}

/**
 * Turns a Pitboss client's events into OpenFeature provider events.
 *
 * OpenFeature emits `PROVIDER_READY` itself when `initialize()` resolves, and a provider's status only moves on
 * READY / ERROR / STALE events (a CONFIGURATION_CHANGED changes no status). So, until `initialize()` settles, the
 * bridge forwards nothing: the outcome of `initialize()` is the one READY or ERROR event. After it, a `ready` or a
 * `change` that ends an ERROR or STALE spell is forwarded as READY first, so the status recovers.
 *
 * A client `error` becomes PROVIDER_ERROR only when the client's status is ERROR (it has no config to serve): a
 * refused snapshot or a dropped stream while a config is served is the client's to log and retry, and OpenFeature
 * would otherwise report ERROR for a provider answering normally.
 *
 * @example
 * const bridge = new EventBridge(client, sink);
 * await client.ready();
 * bridge.arm(true); // from now on, client events reach the sink
 */
export class EventBridge {
  private armed = false;
  private degraded = false;
  private muted = 0;
  private readonly unsubscribe: (() => void)[];

  constructor(
    private readonly source: ClientEventSource,
    private readonly sink: ProviderEventSink,
  ) {
    this.unsubscribe = [
      source.on('ready', () => this.onReady()),
      source.on('change', (payload) => this.onChange(payload)),
      source.on('error', (payload) => this.onError(payload)),
      source.on('stale', () => this.onStale()),
    ];
  }

  /** Called once `initialize()` has settled: `ok` false means OpenFeature now holds the provider in ERROR. */
  arm(ok: boolean): void {
    this.armed = true;
    this.degraded = !ok;
  }

  /**
   * Reports READY when the client recovered without an event (the Node client leaves STALE silently on its next
   * contact with the control plane). Providers call it on every resolution: one comparison.
   */
  sync(): void {
    if (this.degraded && this.armed && this.source.status === 'READY') this.onReady();
  }

  /**
   * Drops `change` events while `work` runs. The browser client announces the values a new context brought as a
   * `change`; that is OpenFeature's CONTEXT_CHANGED (which the web SDK emits itself), not a configuration change.
   */
  async withoutChanges<T>(work: () => Promise<T>): Promise<T> {
    this.muted++;
    try {
      return await work();
    } finally {
      this.muted--;
    }
  }

  /** Stops listening (on close). */
  detach(): void {
    for (const off of this.unsubscribe) off();
    this.armed = false;
  }

  private onReady(): void {
    if (!this.armed || !this.degraded) return;
    this.degraded = false;
    this.sink.ready();
  }

  private onChange(payload: unknown): void {
    if (!this.armed || this.muted > 0) return;
    this.onReady();
    this.sink.configurationChanged(changeDetails(payload));
  }

  private onError(payload: unknown): void {
    if (!this.armed || this.source.status !== 'ERROR') return;
    this.degraded = true;
    this.sink.error(messageOf(payload, 'the Pitboss client reported an error'));
  }

  private onStale(): void {
    if (!this.armed) return;
    this.degraded = true;
    this.sink.stale('the Pitboss control plane has not been reachable for a while; serving the last config');
  }
}

/**
 * The Node client announces `{version}`; the browser client `{version, flagKeys}` (the flags whose values changed
 * for its context), which becomes OpenFeature's `flagsChanged`.
 */
function changeDetails(payload: unknown): { flagsChanged?: string[]; metadata?: Record<string, number> } {
  if (typeof payload !== 'object' || payload === null) return {};
  const { version, flagKeys } = payload as { version?: unknown; flagKeys?: unknown };
  return {
    ...(Array.isArray(flagKeys) && flagKeys.every((f) => typeof f === 'string')
      ? { flagsChanged: flagKeys as string[] }
      : {}),
    ...(typeof version === 'number' ? { metadata: { version } } : {}),
  };
}

function messageOf(payload: unknown, fallback: string): string {
  if (payload instanceof Error) return payload.message;
  if (typeof payload === 'string' && payload !== '') return payload;
  return fallback;
}
