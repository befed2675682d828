import { type CompiledConfig, compile } from '@pitboss/engine';
import type { PitbossBrowserClient } from '../../browser/index.js';
import type { PitbossClient } from '../../node/index.js';
import { Emitter } from '../../shared/emitter.js';
import type { ClientEvent, ClientStatus, EvaluationDetails } from '../../shared/types.js';

/**
 * In-memory Pitboss clients for the providers' tests: real engine evaluation of a config document, with the
 * delivery side (readiness, status, events) driven by the test. Not exported by the package.
 */
abstract class EngineFake {
  status: ClientStatus = 'NOT_READY';
  version: number | undefined;
  closed = false;
  protected compiled: CompiledConfig | undefined;
  private readonly events = new Emitter();
  private readonly waiters = new Set<() => void>();

  constructor(readonly environment = 'prod') {}

  /** Loads a config: the first load makes the client ready, later ones announce a change. */
  load(document: unknown, version = (this.version ?? 0) + 1): this {
    const first = this.compiled === undefined;
    this.compiled = compile(document).config;
    this.version = version;
    this.status = 'READY';
    if (first) {
      for (const wake of this.waiters) wake();
      this.emit('ready');
    } else {
      this.emit('change', this.changePayload(version));
    }
    return this;
  }

  emit(event: ClientEvent, payload?: unknown): void {
    this.events.emit(event, payload);
  }

  on(event: ClientEvent, listener: (payload?: unknown) => void): () => void {
    return this.events.on(event, listener);
  }

  ready(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.compiled !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer =
        options.timeoutMs === undefined ? undefined : setTimeout(() => finish(false), options.timeoutMs);
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(ok);
      };
      const wake = () => finish(true);
      this.waiters.add(wake);
    });
  }

  protected changePayload(version: number): unknown {
    return { version };
  }

  protected details(flagKey: string, context: Record<string, unknown>): EvaluationDetails {
    if (this.compiled === undefined) {
      return { flagKey, value: undefined, reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' };
    }
    const r = this.compiled.evaluate(flagKey, this.environment, context);
    return {
      flagKey,
      value: r.value,
      reason: r.reason,
      ...(r.variant === undefined ? {} : { variant: r.variant }),
      ...(r.ruleIndex === undefined ? {} : { ruleIndex: r.ruleIndex }),
      ...(r.errorCode === undefined ? {} : { errorCode: r.errorCode, errorMessage: r.errorMessage }),
    };
  }
}

/** A Node client evaluating locally; records the contexts it was asked about. */
export class FakeNodeClient extends EngineFake implements PitbossClient {
  readonly contexts: Record<string, unknown>[] = [];

  evaluate(flagKey: string, context: Record<string, unknown> = {}): EvaluationDetails {
    this.contexts.push(context);
    return this.details(flagKey, context);
  }

  isEnabled(flagKey: string, context?: Record<string, unknown>): boolean {
    return this.evaluate(flagKey, context).value === true;
  }

  variant(flagKey: string, context?: Record<string, unknown>): string | undefined {
    return this.evaluate(flagKey, context).variant;
  }

  value<T extends boolean | string | number | object>(
    flagKey: string,
    context: Record<string, unknown> | undefined,
    fallback: T,
  ): T {
    const { value } = this.evaluate(flagKey, context);
    return typeof value === typeof fallback && value !== null ? (value as T) : fallback;
  }

  flagType(flagKey: string): 'boolean' | 'string' | 'number' | 'object' | undefined {
    return this.compiled?.flag(flagKey)?.valueType;
  }

  metrics(): { flag: string; variant: string; count: number }[] {
    return [];
  }

  decisionStats(): { queued: number; posted: number; dropped: number } {
    return { queued: 0, posted: 0, dropped: 0 };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A browser client: the "server" is the engine, evaluating every flag for the context last set. */
export class FakeBrowserClient extends EngineFake implements PitbossBrowserClient {
  context: Record<string, unknown> = {};

  async setContext(context: Record<string, unknown>): Promise<void> {
    const before = this.snapshot();
    this.context = context;
    const changed = this.keys().filter((k) => before.get(k) !== JSON.stringify(this.details(k, context)));
    if (changed.length > 0) this.emit('change', { version: this.version, flagKeys: changed });
  }

  evaluate(flagKey: string): EvaluationDetails {
    return this.details(flagKey, this.context);
  }

  isEnabled(flagKey: string): boolean {
    return this.evaluate(flagKey).value === true;
  }

  variant(flagKey: string): string | undefined {
    return this.evaluate(flagKey).variant;
  }

  value<T>(flagKey: string, fallback: T): T {
    const { value } = this.evaluate(flagKey);
    return typeof value === typeof fallback ? (value as T) : fallback;
  }

  close(): void {
    this.closed = true;
  }

  protected override changePayload(version: number): unknown {
    return { version, flagKeys: this.keys() };
  }

  private keys(): string[] {
    return this.compiled?.keys() ?? [];
  }

  private snapshot(): Map<string, string> {
    return new Map(this.keys().map((k) => [k, JSON.stringify(this.details(k, this.context))]));
  }
}
