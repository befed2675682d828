/**
 * `@pitboss/sdk/openfeature/server`: Pitboss as an OpenFeature provider for `@openfeature/server-sdk`, over the
 * Node client (local evaluation). `@openfeature/server-sdk` is an optional peer dependency of `@pitboss/sdk`.
 */
import type { EvaluationContext, FlagValueType, JsonValue, ResolutionDetails } from '@openfeature/core';
import {
  ErrorCode,
  type Hook,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ProviderMetadata,
} from '@openfeature/server-sdk';
import { type ClientOptions, createClient, type PitbossClient } from '../node/index.js';
import { DEFAULT_TARGETING_KEY_ATTRIBUTE, parseAttributePath, toPitbossContext } from './context.js';
import { EventBridge } from './event-bridge.js';
import { failed, toResolution } from './mapping.js';
import { evaluationEventHook, loadOtel } from './otel.js';

export { toOpenFeatureErrorCode, toOpenFeatureReason } from './mapping.js';
export {
  evaluationEventHook,
  OTEL_ATTRIBUTES,
  type OtelAttributes,
  type OtelOptions,
  toOtelAttributes,
} from './otel.js';

/** Options of {@link PitbossProvider}. */
export interface PitbossProviderOptions {
  /**
   * The context attribute that receives OpenFeature's `targetingKey`: the stickiness attribute of your flags.
   * Default `user.id` (the engine's default stickiness).
   */
  targetingKeyAttribute?: string;
  /** How long `initialize()` waits for a first config before OpenFeature marks the provider ERROR. Default 10 000. */
  readyTimeoutMs?: number;
  /**
   * Record each evaluation as a `feature_flag.evaluation` event on the active OpenTelemetry span (when
   * `@opentelemetry/api` is installed). Default true.
   */
  spanEvents?: boolean;
}

/**
 * An OpenFeature server provider backed by a Pitboss Node client. Evaluation is local and synchronous; the
 * OpenFeature reasons, error codes and events are mapped as documented in docs/sdk.md (OpenFeature section).
 *
 * @example
 * import { OpenFeature } from '@openfeature/server-sdk';
 * import { PitbossProvider } from '@pitboss/sdk/openfeature/server';
 *
 * await OpenFeature.setProviderAndWait(
 *   new PitbossProvider({ url: 'https://flags.example.com', sdkKey: process.env.PITBOSS_SDK_KEY, environment: 'prod' }),
 * );
 * const flags = OpenFeature.getClient();
 * const on = await flags.getBooleanValue('payments_v2', false, { targetingKey: 'p-42', market: 'DE' });
 */
export class PitbossProvider implements Provider {
  readonly metadata: ProviderMetadata = { name: 'pitboss' };
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  /** OpenFeature runs these around every evaluation through this provider. */
  readonly hooks: Hook[];
  /** The Pitboss client: given, or created from `ClientOptions` (then this provider owns and closes it). */
  readonly client: PitbossClient;
  private readonly targetingPath: readonly string[];
  private readonly readyTimeoutMs: number;
  private readonly bridge: EventBridge;

  constructor(client: PitbossClient | ClientOptions, options: PitbossProviderOptions = {}) {
    this.client = isClient(client) ? client : createClient(client);
    this.targetingPath = parseAttributePath(options.targetingKeyAttribute ?? DEFAULT_TARGETING_KEY_ATTRIBUTE);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
    this.hooks = options.spanEvents === false ? [] : [evaluationEventHook() as Hook];
    this.bridge = new EventBridge(this.client, {
      ready: () => this.events.emit(ProviderEvents.Ready),
      configurationChanged: (details) => this.events.emit(ProviderEvents.ConfigurationChanged, details),
      error: (message) => this.events.emit(ProviderEvents.Error, { message }),
      stale: (message) => this.events.emit(ProviderEvents.Stale, { message }),
    });
  }

  /** Waits for the client's first config (server, cache file or bootstrap); rejects on timeout (→ ERROR). */
  async initialize(): Promise<void> {
    if (this.hooks.length > 0) await loadOtel();
    const ok = await this.client.ready({ timeoutMs: this.readyTimeoutMs });
    this.bridge.arm(ok);
    if (!ok)
      throw new Error(
        `Pitboss client not ready after ${this.readyTimeoutMs} ms (status ${this.client.status})`,
      );
  }

  async onClose(): Promise<void> {
    this.bridge.detach();
    await this.client.close();
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, 'boolean', context);
  }

  async resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, 'string', context);
  }

  async resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, 'number', context);
  }

  async resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.resolve(flagKey, defaultValue, 'object', context);
  }

  private resolve<T>(
    flagKey: string,
    defaultValue: T,
    type: FlagValueType,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    const client = this.client;
    this.bridge.sync();
    if (client.status === 'NOT_READY') {
      return failed(defaultValue, ErrorCode.PROVIDER_NOT_READY, 'the Pitboss client has no config yet');
    }
    // Checked before evaluating, so a mistyped call is neither counted in metrics nor logged as a decision.
    const actual = client.flagType(flagKey);
    if (actual !== undefined && actual !== type) {
      return failed(defaultValue, ErrorCode.TYPE_MISMATCH, `flag '${flagKey}' is ${actual}, not ${type}`);
    }
    const details = client.evaluate(flagKey, toPitbossContext(context, this.targetingPath));
    return toResolution(details, type, defaultValue, { version: client.version });
  }
}

function isClient(value: PitbossClient | ClientOptions): value is PitbossClient {
  return typeof (value as Partial<PitbossClient>).evaluate === 'function';
}
