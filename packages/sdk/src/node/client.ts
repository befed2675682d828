import { readFileSync } from 'node:fs';
import type { CompiledConfig, EvaluationResult } from '@pitboss/engine';
import { Emitter } from '../shared/emitter.js';
import type { ClientEvent, ClientStatus, EvaluationDetails, FlagMetric } from '../shared/types.js';
import { CacheFile } from './cache-file.js';
import { DecisionLog, postDecisions } from './decision-log.js';
import { Delivery } from './delivery.js';
import { FlagCounters } from './flag-counters.js';
import type { ClientOptions, FlagType, PitbossClient } from './options.js';
import { type LoadedConfig, loadSnapshot, parseSnapshot, RejectedSnapshot } from './snapshot.js';
import { loadTraceApi } from './trace.js';

const EMPTY_CONTEXT: Record<string, unknown> = Object.freeze({});
const NOT_READY = Object.freeze({
  value: undefined,
  variant: undefined,
  reason: 'ERROR',
  errorCode: 'PROVIDER_NOT_READY',
  errorMessage: 'no configuration loaded yet',
}) as unknown as EvaluationResult;

type Source = 'server' | 'cache' | 'bootstrap';

/** The Node client: see {@link PitbossClient}. Built by `createClient`. */
export class NodeClient implements PitbossClient {
  private loaded: LoadedConfig | undefined;
  // The hot path reads this one field: a new config is swapped in whole, so an evaluation sees one version.
  private compiled: CompiledConfig | undefined;
  private state: ClientStatus = 'NOT_READY';
  private readonly environment: string;
  private readonly events: Emitter;
  private readonly counters = new FlagCounters();
  private readonly clock: () => number;
  private readonly warn: (msg: string, err?: unknown) => void;
  private readonly cache: CacheFile | undefined;
  private readonly delivery: Delivery | undefined;
  private readonly log: DecisionLog | undefined;
  private readonly waiters = new Set<(ready: boolean) => void>();
  private staleTimer: NodeJS.Timeout | undefined;
  private lastContact: number;
  private starting = true;
  private closed = false;

  constructor(options: ClientOptions) {
    if (!options.environment) throw new TypeError('createClient: environment is required');
    if (!options.offline && (!options.url || !options.sdkKey))
      throw new TypeError('createClient: url and sdkKey are required unless offline');
    this.environment = options.environment;
    this.clock = options.clock ?? Date.now;
    this.lastContact = Date.now();
    this.warn = (msg, err) => options.logger?.warn(msg, err);
    this.events = new Emitter((err) => this.warn('a client event listener threw', err));
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (options.bootstrap !== undefined) this.loadBootstrap(options.bootstrap);
    if (options.cacheFile !== undefined) {
      this.cache = new CacheFile(options.cacheFile, this.warn);
      const text = this.cache.read();
      if (text !== undefined) this.accept(text, 'cache');
    }
    if (options.offline) {
      if (this.loaded === undefined) this.fail(new Error('offline without a bootstrap or cache file'), true);
      this.starting = false;
      return;
    }
    const pollIntervalMs = options.pollIntervalMs ?? 30_000;
    this.delivery = new Delivery(
      {
        url: options.url!,
        sdkKey: options.sdkKey!,
        environment: this.environment,
        fetch: fetchFn,
        streaming: options.streaming ?? true,
        pollIntervalMs,
        reconnect: options.reconnect ?? {},
        streamFailuresBeforePolling: options.streamFailuresBeforePolling ?? 3,
        streamRetryMs: options.streamRetryMs ?? 300_000,
        streamIdleTimeoutMs: options.streamIdleTimeoutMs ?? 35_000,
      },
      {
        version: () => this.loaded?.version,
        receive: (text) => this.accept(text, 'server'),
        contact: () => this.contact(),
        failure: (err, fatal) => this.fail(err, fatal),
      },
    );
    this.delivery.start();
    this.watchStaleness(options.staleAfterMs ?? Math.max(60_000, 2 * pollIntervalMs));
    if (options.decisionLog) {
      void loadTraceApi();
      this.log = new DecisionLog(
        options.decisionLog,
        postDecisions(options.url!, options.sdkKey!, this.environment, fetchFn),
        this.clock,
        Math.random,
        this.warn,
      );
    }
    this.starting = false;
  }

  get status(): ClientStatus {
    return this.state;
  }

  get version(): number | undefined {
    return this.loaded?.version;
  }

  ready(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.loaded !== undefined) return Promise.resolve(true);
    if (this.closed || this.state === 'ERROR') return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (ready: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(ready);
      };
      this.waiters.add(done);
      if (options.timeoutMs !== undefined) timer = setTimeout(() => done(false), options.timeoutMs);
    });
  }

  isEnabled(flagKey: string, context?: Record<string, unknown>): boolean {
    return this.run(flagKey, context, 'boolean').value === true;
  }

  variant(flagKey: string, context?: Record<string, unknown>): string | undefined {
    return this.run(flagKey, context, undefined).variant;
  }

  value<T extends boolean | string | number | object>(
    flagKey: string,
    context: Record<string, unknown> | undefined,
    fallback: T,
  ): T {
    const expected = typeof fallback as FlagType;
    const result = this.run(flagKey, context, expected);
    return result.errorCode === undefined && result.value !== undefined ? (result.value as T) : fallback;
  }

  evaluate(flagKey: string, context?: Record<string, unknown>): EvaluationDetails {
    const r = this.run(flagKey, context, undefined);
    const details: EvaluationDetails = { flagKey, value: r.value, reason: r.reason };
    if (r.variant !== undefined) details.variant = r.variant;
    if (r.ruleIndex !== undefined) details.ruleIndex = r.ruleIndex;
    if (r.errorCode !== undefined) details.errorCode = r.errorCode;
    if (r.errorMessage !== undefined) details.errorMessage = r.errorMessage;
    return details;
  }

  flagType(flagKey: string): FlagType | undefined {
    return this.compiled?.flag(flagKey)?.valueType;
  }

  on(event: ClientEvent, listener: (payload?: unknown) => void): () => void {
    return this.events.on(event, listener);
  }

  metrics(): FlagMetric[] {
    return this.counters.snapshot();
  }

  decisionStats(): { queued: number; posted: number; dropped: number } {
    return this.log?.stats() ?? { queued: 0, posted: 0, dropped: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.staleTimer);
    for (const done of [...this.waiters]) done(false);
    await this.delivery?.stop();
    await this.log?.close();
    await this.cache?.idle();
  }

  private run(
    flagKey: string,
    context: Record<string, unknown> | undefined,
    expected: FlagType | undefined,
  ): EvaluationResult {
    const compiled = this.compiled;
    const result =
      compiled === undefined
        ? NOT_READY
        : compiled.evaluate(
            flagKey,
            this.environment,
            context === undefined ? EMPTY_CONTEXT : context,
            expected,
          );
    this.counters.count(flagKey, result.variant);
    this.log?.record(flagKey, result.variant, result.reason, result.ruleIndex, context);
    return result;
  }

  private loadBootstrap(bootstrap: object | string): void {
    if (typeof bootstrap !== 'string') return void this.accept(bootstrap, 'bootstrap');
    try {
      this.accept(readFileSync(bootstrap, 'utf8'), 'bootstrap');
    } catch (err) {
      this.fail(new Error(`cannot read bootstrap file ${bootstrap}`, { cause: err }), false);
    }
  }

  /** Parses, checks and swaps in a snapshot; a refused one leaves the current config in place. */
  private accept(input: unknown, source: Source): void {
    const parsed = parseSnapshot(input, source === 'bootstrap');
    if (parsed instanceof RejectedSnapshot) {
      this.reject(parsed, source);
      return;
    }
    const previous = this.loaded;
    if (previous !== undefined && parsed.version <= previous.version) {
      // The same version again is normal (a resume, a poll); an older one is a replica or cache going back.
      if (parsed.version < previous.version)
        this.reject(
          new RejectedSnapshot(`version ${parsed.version} is older than ${previous.version}`),
          source,
        );
      return;
    }
    const loaded = loadSnapshot(parsed, this.environment, previous, this.clock);
    if (loaded instanceof RejectedSnapshot) {
      this.reject(loaded, source);
      return;
    }
    this.loaded = loaded;
    this.compiled = loaded.compiled;
    if (source === 'server') this.cache?.write(parsed);
    this.state = 'READY';
    if (previous === undefined) {
      for (const done of [...this.waiters]) done(true);
      // During createClient nobody listens yet: announce on the next tick.
      if (this.starting) queueMicrotask(() => this.events.emit('ready'));
      else this.events.emit('ready');
    } else {
      this.events.emit('change', { version: loaded.version });
    }
  }

  private reject(error: RejectedSnapshot, source: Source): void {
    error.message = `${source} snapshot refused: ${error.message}`;
    this.fail(error, false);
  }

  private contact(): void {
    this.lastContact = Date.now();
    if (this.state !== 'STALE') return;
    // Back in touch: say so, so that whoever showed a STALE status (an OpenFeature provider) can clear it.
    this.state = 'READY';
    this.events.emit('ready');
  }

  private fail(error: unknown, fatal: boolean): void {
    if (fatal) {
      this.state = 'ERROR';
      if (this.loaded === undefined) for (const done of [...this.waiters]) done(false);
    }
    this.warn(error instanceof Error ? error.message : String(error), error);
    if (this.starting) queueMicrotask(() => this.events.emit('error', error));
    else this.events.emit('error', error);
  }

  private watchStaleness(staleAfterMs: number): void {
    this.staleTimer = setInterval(
      () => {
        if (this.state !== 'READY' || Date.now() - this.lastContact < staleAfterMs) return;
        this.state = 'STALE';
        this.events.emit('stale');
      },
      Math.max(10, Math.min(5000, staleAfterMs / 4)),
    );
    this.staleTimer.unref?.();
  }
}
