/**
 * What every simulated service gets: its fault profile, seeded random streams, a way to wait a simulated
 * latency (injectable, so tests never sleep and can still see every drawn latency), and the shared ledger.
 */
import { type Reply, type Request, sleep } from './http-kit.js';
import type { Answer, Ledger } from './ledger.js';
import { lognormalMs, Rng } from './rng.js';
import type { Latency, Profile } from './scenarios.js';

export interface ServiceContext {
  readonly profile: Profile;
  readonly seed: number;
  /** wallet, bets and promo only. */
  readonly ledger?: Ledger;
  /** A seeded stream for one purpose ("faults", "latency"…), created once and then reused. */
  rng(stream: string): Rng;
  /** Draws a latency from `latency` (scaled by the profile) and waits it; resolves to the ms drawn. */
  delay(latency: Latency, stream?: string): Promise<number>;
  /** Observes every simulated latency (tests read the distribution without a clock). */
  readonly onLatency?: (what: string, ms: number) => void;
}

export function createContext(options: {
  profile: Profile;
  seed: number;
  ledger?: Ledger;
  sleep?: (ms: number) => Promise<void>;
  onLatency?: (what: string, ms: number) => void;
}): ServiceContext {
  const streams = new Map<string, Rng>();
  const { profile, seed } = options;
  const wait = options.sleep ?? sleep;
  const rng = (stream: string): Rng => {
    let r = streams.get(stream);
    if (!r) {
      r = new Rng(seed, `${profile.service}/${profile.version}/${stream}`);
      streams.set(stream, r);
    }
    return r;
  };
  return {
    profile,
    seed,
    ...(options.ledger ? { ledger: options.ledger } : {}),
    ...(options.onLatency ? { onLatency: options.onLatency } : {}),
    rng,
    async delay(latency, stream = 'latency') {
      const ms = lognormalMs(rng(stream), latency.p50, latency.p95) * profile.latencyScale;
      options.onLatency?.(stream, ms);
      await wait(ms);
      return ms;
    },
  };
}

/** A shadow copy from the gateway (`x-pitboss-mirror: 1`): simulate everything, move no money. */
export function isMirror(req: Request): boolean {
  return req.headers['x-pitboss-mirror'] === '1';
}

export function requireLedger(ctx: ServiceContext): Ledger {
  if (!ctx.ledger) throw new Error(`${ctx.profile.service} needs the ledger (--data)`);
  return ctx.ledger;
}

/** A ledger answer as an HTTP reply; a replay is marked `idempotent-replayed: true`. */
export function fromAnswer(a: Answer, headers: Record<string, string> = {}): Reply {
  return {
    status: a.status,
    body: a.body,
    headers: { ...headers, ...(a.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  };
}

/** A shadow copy's answer: what the real one would have looked like, nothing written. */
export function dryRun(body: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  return { status: 200, body: { ...body, dryRun: true }, headers };
}
