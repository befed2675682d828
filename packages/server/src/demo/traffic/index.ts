/**
 * The demo's traffic generator: realistic players through the gateway, and the ledger reconciliation.
 *
 *   import { startTraffic, verifyLedger } from '../demo/traffic/index.js';
 *   const traffic = startTraffic({ gatewayUrl: 'http://127.0.0.1:8080', playersPerSecond: 4, seed: 42, speed: 10 });
 *   traffic.stats();                       // TrafficSummary, cheap: call it every second for the terminal
 *   const summary = await traffic.stop();  // stops new journeys, waits for the ones in flight (≤ 20 s), closes
 *   const result = await verifyLedger('http://127.0.0.1:8080', summary); // the wallet (direct or via the gateway)
 *   if (!result.ok) console.log(result.problems);
 *
 * Every request carries x-player-id, x-market (DE SE UK MT FI NO), x-brand and x-employee ("true"/"false").
 * Each player plays login → 2fa → deposit (PSP A/B/C) → several bets, each settled → sometimes a chargeback,
 * a promo claim → withdrawal; some also open a game WebSocket (/games/ws) and ping it. Outcomes are counted by
 * endpoint and by the version that served them (the gateway's `x-pitboss-version` response header, `unknown`
 * without a gateway), deposits also by PSP.
 */
export { startTraffic } from './generator.js';
export { verifyLedger } from './verify-ledger.js';

export type Market = 'DE' | 'SE' | 'UK' | 'MT' | 'FI' | 'NO';

/** The journey steps; `steps` in TrafficOptions can turn any of them off. */
export type JourneyStep = 'login' | 'deposit' | 'bets' | 'chargeback' | 'promo' | 'withdraw' | 'ws';

export interface TrafficOptions {
  /** Base URL every request goes to, e.g. `http://127.0.0.1:8080` (the gateway). */
  readonly gatewayUrl: string;
  /** New player journeys per second at speed 1 (default 4). */
  readonly playersPerSecond?: number;
  /** Seeds the population and every choice players make. */
  readonly seed: number;
  /** Compressed time: journeys start `playersPerSecond × speed` per second and think times are divided by it. */
  readonly speed: number;
  /** Journeys in flight at most (default 200); arrivals beyond that are skipped (counted). */
  readonly maxConcurrentJourneys?: number;
  /** Players in the population (default 2000); returning players keep their market, brand and balance. */
  readonly population?: number;
  /** Share of journeys that open a game WebSocket session (default 0.3). */
  readonly wsShare?: number;
  /** Share of confirmed deposits the PSP charges back (default 0.05). */
  readonly chargebackShare?: number;
  /** Prefix of this run's player ids and idempotency keys, so runs on the same ledger stay apart (default random). */
  readonly runId?: string;
  /** Per-service base URLs replacing gatewayUrl (tests without a gateway): auth, wallet, bets, games, promo. */
  readonly urls?: Partial<Record<'auth' | 'wallet' | 'bets' | 'games' | 'promo', string>>;
  /** Steps to skip (default: all played). */
  readonly steps?: Partial<Record<JourneyStep, boolean>>;
  /** Per-request timeout (default 10 000 ms); a timed-out money request is "uncertain", never "failed". */
  readonly requestTimeoutMs?: number;
}

/** Counts of one endpoint on one version. */
export interface OutcomeCounts {
  requests: number;
  /** 2xx (101 for a WebSocket). */
  ok: number;
  /** 4xx: refused by the service (wrong password, insufficient funds…), not a failure. */
  clientErrors: number;
  /** 5xx. */
  serverErrors: number;
  /** No answer: connection error or timeout. */
  networkErrors: number;
  /** Sum of the answered requests' latencies, ms (mean = latencyMsSum / (requests − networkErrors)). */
  latencyMsSum: number;
}

/** A money movement the generator asked for, as it saw it end. */
export interface MoneyRecord {
  readonly kind: 'deposit' | 'withdraw' | 'chargeback';
  readonly key: string;
  readonly playerId: string;
  readonly amount: number;
  readonly psp?: string;
  /** The version that answered (x-pitboss-version), `unknown` without a gateway. */
  readonly version: string;
}

export interface TrafficSummary {
  readonly runId: string;
  readonly seed: number;
  /** ms since start (the generator's own clock). */
  readonly elapsedMs: number;
  readonly running: boolean;
  readonly journeys: {
    started: number;
    completed: number;
    aborted: number;
    skipped: number;
    inFlight: number;
  };
  readonly population: {
    size: number;
    employees: number;
    vips: number;
    byMarket: Readonly<Record<Market, number>>;
  };
  /** endpoint (login, 2fa, deposit, withdraw, bet, settle, chargeback, claim, ws) → version → counts. */
  readonly byEndpoint: Readonly<Record<string, Readonly<Record<string, OutcomeCounts>>>>;
  /** PSP → version → deposit counts. */
  readonly deposits: Readonly<Record<string, Readonly<Record<string, OutcomeCounts>>>>;
  readonly ws: {
    sessions: number;
    failed: number;
    /** version → pings answered and the round trip of the game's own ping message, ms. */
    byVersion: Readonly<
      Record<string, { sessions: number; pongs: number; rttMsSum: number; rttP95Ms: number }>
    >;
  };
  /** The generator's own ledger. Arrays are live views: read, never mutate. */
  readonly money: {
    /** Confirmed (2xx) deposits/withdrawals/chargebacks, one record per key. */
    readonly confirmed: readonly MoneyRecord[];
    /** Definitively failed or refused (4xx/5xx, never later confirmed): must have moved no money. */
    readonly failed: readonly MoneyRecord[];
    /** No answer (timeout, connection cut): the ledger may or may not hold them. */
    readonly uncertain: readonly MoneyRecord[];
    /** Confirmed keys sent again on purpose; replays that answered differently from the first time. */
    readonly replays: number;
    readonly replayMismatches: number;
  };
  /** playerId → the balance the generator expects (confirmed movements, bets and wins); absent = uncertain. */
  readonly expectedBalances: Readonly<Record<string, number>>;
}

export interface TrafficHandle {
  /** A snapshot of the counters (cheap; money arrays are shared, not copied). */
  stats(): TrafficSummary;
  /** Stops starting journeys, lets those in flight end (WebSockets closed), closes connections. */
  stop(): Promise<TrafficSummary>;
}

export interface LedgerVerification {
  /** Nothing lost, nothing duplicated, no failed request moved money, balances as expected, wallet balanced. */
  readonly ok: boolean;
  /** The wallet's own check (GET /wallet/ledger/check): balanced, entries, sums, problems. */
  readonly wallet: { balanced: boolean; entries: number; problems: readonly string[] };
  readonly deposits: MoneyReconciliation;
  readonly withdrawals: MoneyReconciliation;
  readonly chargebacks: MoneyReconciliation;
  /** Players whose ledger sum differs from what the generator expects (players with uncertain requests skipped). */
  readonly players: {
    checked: number;
    skipped: number;
    mismatched: { playerId: string; expected: number; ledger: number }[];
  };
  /** Human-readable, one line per problem; empty when ok. */
  readonly problems: readonly string[];
}

export interface MoneyReconciliation {
  /** Confirmed by the wallet to the generator. */
  readonly confirmed: number;
  /** This run's entries of that kind in the ledger. */
  readonly inLedger: number;
  /** Confirmed but missing from the ledger (a lost deposit). */
  readonly lost: readonly string[];
  /** Keys on more than one ledger entry. */
  readonly duplicated: readonly string[];
  /** In the ledger although the generator saw the request fail or never sent it. */
  readonly phantom: readonly string[];
  /** In both, with another amount or player. */
  readonly mismatched: readonly string[];
}
