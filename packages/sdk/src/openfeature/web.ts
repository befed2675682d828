/**
 * `@pitboss/sdk/openfeature/web`: Pitboss as an OpenFeature provider for `@openfeature/web-sdk`, over the
 * browser client (remote evaluation, static context). `@openfeature/web-sdk` is an optional peer dependency.
 */
import type { EvaluationContext, FlagValueType, JsonValue, ResolutionDetails } from '@openfeature/core';
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ProviderMetadata,
} from '@openfeature/web-sdk';
import {
  type BrowserClientOptions,
  createBrowserClient,
  type PitbossBrowserClient,
} from '../browser/index.js';
import { DEFAULT_TARGETING_KEY_ATTRIBUTE, parseAttributePath, toPitbossContext } from './context.js';
import { EventBridge } from './event-bridge.js';
import { failed, toResolution } from './mapping.js';

export { toOpenFeatureErrorCode, toOpenFeatureReason } from './mapping.js';
export { OTEL_ATTRIBUTES, type OtelAttributes, type OtelOptions, toOtelAttributes } from './otel.js';

/** Browser client options without `context`: OpenFeature's context is the one evaluated. */
export type WebProviderClientOptions = Omit<BrowserClientOptions, 'context'>;

/** Options of {@link PitbossWebProvider}. */
export interface PitbossWebProviderOptions {
  /** The context attribute that receives OpenFeature's `targetingKey`. Default `user.id`. */
  targetingKeyAttribute?: string;
  /** How long `initialize()` waits for the first evaluation before OpenFeature marks the provider ERROR. Default 10 000. */
  readyTimeoutMs?: number;
}

/**
 * An OpenFeature web provider backed by the Pitboss browser client. The static-context paradigm maps directly:
 * the control plane evaluates every flag for the context, resolution reads the cached values synchronously, and
 * `OpenFeature.setContext` re-evaluates remotely (the SDK reports RECONCILING, then CONTEXT_CHANGED).
 *
 * @example
 * import { OpenFeature } from '@openfeature/web-sdk';
 * import { PitbossWebProvider } from '@pitboss/sdk/openfeature/web';
 *
 * await OpenFeature.setProviderAndWait(
 *   new PitbossWebProvider({ url: 'https://flags.example.com', sdkKey: 'pb_sdk_…', environment: 'prod' }),
 *   { targetingKey: 'p-42', market: 'DE' },
 * );
 * if (OpenFeature.getClient().getBooleanValue('payments_v2', false)) showNewCheckout();
 */
export class PitbossWebProvider implements Provider {
  readonly metadata: ProviderMetadata = { name: 'pitboss' };
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  private current: PitbossBrowserClient | undefined;
  private bridge: EventBridge | undefined;
  private readonly targetingPath: readonly string[];
  private readonly readyTimeoutMs: number;

  /**
   * From a browser client (its own context is replaced by OpenFeature's when that is not empty), or from the
   * browser client's options, in which case the client is created by `initialize()` with OpenFeature's context,
   * so the first remote evaluation is already the right one.
   */
  constructor(
    private readonly source: PitbossBrowserClient | WebProviderClientOptions,
    options: PitbossWebProviderOptions = {},
  ) {
    this.targetingPath = parseAttributePath(options.targetingKeyAttribute ?? DEFAULT_TARGETING_KEY_ATTRIBUTE);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    if (isClient(source)) this.attach(source);
  }

  /** The browser client; undefined before `initialize()` when built from options. */
  get client(): PitbossBrowserClient | undefined {
    return this.current;
  }

  async initialize(context?: EvaluationContext): Promise<void> {
    const pitbossContext = toPitbossContext(context, this.targetingPath);
    let client = this.current;
    if (client === undefined) {
      client = this.attach(
        createBrowserClient({ ...(this.source as WebProviderClientOptions), context: pitbossContext }),
      );
    } else if (context !== undefined && Object.keys(context).length > 0) {
      await client.setContext(pitbossContext);
    }
    const ok = await client.ready({ timeoutMs: this.readyTimeoutMs });
    this.bridge?.arm(ok);
    if (!ok)
      throw new Error(
        `Pitboss browser client not ready after ${this.readyTimeoutMs} ms (status ${client.status})`,
      );
  }

  /** Re-evaluates remotely; returning the promise puts the provider in RECONCILING until the values are in. */
  async onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    const client = this.current;
    const bridge = this.bridge;
    if (client === undefined || bridge === undefined) return;
    await bridge.withoutChanges(() => client.setContext(toPitbossContext(next, this.targetingPath)));
  }

  async onClose(): Promise<void> {
    this.bridge?.detach();
    this.current?.close();
    // A client this provider created is recreated by the next `initialize()`; a given one cannot be reopened.
    if (!isClient(this.source)) {
      this.current = undefined;
      this.bridge = undefined;
    }
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, 'boolean');
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, 'string');
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, 'number');
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, 'object');
  }

  // The evaluation context argument is ignored: in the static paradigm the values were computed for the context
  // the provider last reconciled, which is the one OpenFeature passes anyway.
  private resolve<T>(flagKey: string, defaultValue: T, type: FlagValueType): ResolutionDetails<T> {
    const client = this.current;
    this.bridge?.sync();
    if (client === undefined || client.status === 'NOT_READY') {
      return failed(
        defaultValue,
        ErrorCode.PROVIDER_NOT_READY,
        'the Pitboss browser client has no values yet',
      );
    }
    return toResolution(client.evaluate(flagKey), type, defaultValue, { version: client.version });
  }

  private attach(client: PitbossBrowserClient): PitbossBrowserClient {
    this.current = client;
    this.bridge = new EventBridge(client, {
      ready: () => this.events.emit(ProviderEvents.Ready),
      configurationChanged: (details) => this.events.emit(ProviderEvents.ConfigurationChanged, details),
      error: (message) => this.events.emit(ProviderEvents.Error, { message }),
      stale: (message) => this.events.emit(ProviderEvents.Stale, { message }),
    });
    return client;
  }
}

function isClient(value: PitbossBrowserClient | WebProviderClientOptions): value is PitbossBrowserClient {
  return typeof (value as Partial<PitbossBrowserClient>).evaluate === 'function';
}
