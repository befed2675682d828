/**
 * The generator's HTTP side: one undici Agent (keep-alive, bounded connections per origin), a timeout per
 * request, the player's context headers on every call, and every outcome counted under the version that served
 * it (`x-pitboss-version`). It also says whether a failure is *definitive*: a 4xx, or a 5xx the service itself
 * explained (its JSON `code`), moved no money; a bare 5xx from a proxy or no answer at all might have.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import type { TrafficOptions } from './index.js';
import { type Player, playerHeaders } from './players.js';
import type { Recorder } from './recorder.js';

export type ServiceKey = 'auth' | 'wallet' | 'bets' | 'games' | 'promo';

export interface CallResult {
  /** HTTP status, or 'network' when nothing came back. */
  readonly status: number | 'network';
  readonly body: Record<string, unknown> | undefined;
  readonly version: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** True when the request certainly did (2xx) or certainly did not (see above) take effect. */
  readonly definitive: boolean;
}

/** The service-side failure codes that guarantee nothing was written. */
const SERVICE_FAILURE_CODES = new Set(['PSP_ERROR', 'CHARGEBACK_FAILED']);

export const VERSION_HEADER = 'x-pitboss-version';

export class HttpClient {
  readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: Pick<TrafficOptions, 'gatewayUrl' | 'urls' | 'requestTimeoutMs'>,
    private readonly recorder: Recorder,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.agent = new Agent({
      connections: 64,
      keepAliveTimeout: 30_000,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connectTimeout: Math.min(this.timeoutMs, 5000),
    });
  }

  /** The base URL of a service: its own in `urls`, else the gateway. */
  base(service: ServiceKey): string {
    return (this.options.urls?.[service] ?? this.options.gatewayUrl).replace(/\/$/, '');
  }

  async call(
    endpoint: string,
    service: ServiceKey,
    method: 'GET' | 'POST',
    path: string,
    player: Player,
    body?: Record<string, unknown>,
    psp?: string,
  ): Promise<CallResult> {
    const started = performance.now();
    try {
      const res = await request(`${this.base(service)}${path}`, {
        method,
        dispatcher: this.agent,
        headers: {
          ...playerHeaders(player),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.body.text();
      const latencyMs = performance.now() - started;
      const version = headerValue(res.headers[VERSION_HEADER]) ?? 'unknown';
      let parsed: Record<string, unknown> | undefined;
      try {
        const v = text === '' ? undefined : (JSON.parse(text) as unknown);
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      this.recorder.request(endpoint, version, { status: res.statusCode, latencyMs }, psp);
      const status = res.statusCode;
      const definitive =
        status < 500 || (typeof parsed?.code === 'string' && SERVICE_FAILURE_CODES.has(parsed.code));
      return { status, body: parsed, version, headers: res.headers, definitive };
    } catch {
      this.recorder.request(endpoint, 'unknown', { status: 'network' }, psp);
      return { status: 'network', body: undefined, version: 'unknown', headers: {}, definitive: false };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
