/**
 * What the generator saw: outcome counters by endpoint × version (and deposits by PSP × version), WebSocket
 * round trips, and its own ledger of money requests — confirmed, failed or uncertain, one final state per key —
 * plus the balance it expects each player to have. verify-ledger.ts compares that ledger with the wallet's.
 */
import type { MoneyRecord, OutcomeCounts, TrafficSummary } from './index.js';

/** How a request ended, as the counters classify it. */
export type Outcome = { status: number; latencyMs: number } | { status: 'network'; latencyMs?: number };

const RTT_WINDOW = 2000;

function emptyCounts(): OutcomeCounts {
  return { requests: 0, ok: 0, clientErrors: 0, serverErrors: 0, networkErrors: 0, latencyMsSum: 0 };
}

function bump(
  table: Record<string, Record<string, OutcomeCounts>>,
  row: string,
  version: string,
  o: Outcome,
) {
  table[row] ??= {};
  const byVersion = table[row] as Record<string, OutcomeCounts>;
  byVersion[version] ??= emptyCounts();
  const c = byVersion[version] as OutcomeCounts;
  c.requests++;
  if (o.status === 'network') {
    c.networkErrors++;
    return;
  }
  c.latencyMsSum += o.latencyMs;
  if (o.status < 400) c.ok++;
  else if (o.status < 500) c.clientErrors++;
  else c.serverErrors++;
}

type MoneyState = 'confirmed' | 'failed' | 'uncertain';

export class Recorder {
  readonly byEndpoint: Record<string, Record<string, OutcomeCounts>> = {};
  readonly deposits: Record<string, Record<string, OutcomeCounts>> = {};
  readonly journeys = { started: 0, completed: 0, aborted: 0, skipped: 0, inFlight: 0 };
  private readonly ws = {
    sessions: 0,
    failed: 0,
    byVersion: {} as Record<string, { sessions: number; pongs: number; rttMsSum: number; rtts: number[] }>,
  };
  private readonly money = new Map<string, { state: MoneyState; record: MoneyRecord }>();
  private readonly confirmed: MoneyRecord[] = [];
  private readonly failed: MoneyRecord[] = [];
  private readonly uncertain: MoneyRecord[] = [];
  private listsDirty = false;
  private replays = 0;
  private replayMismatches = 0;
  /** playerId → expected balance; undefined once something uncertain happened to the player. */
  private readonly balances = new Map<string, number | undefined>();

  constructor(
    readonly runId: string,
    readonly seed: number,
    private readonly population: TrafficSummary['population'],
  ) {}

  request(endpoint: string, version: string, outcome: Outcome, psp?: string): void {
    bump(this.byEndpoint, endpoint, version, outcome);
    if (psp !== undefined) bump(this.deposits, psp, version, outcome);
  }

  /** The final state of a money request key; a later confirmation overrides an earlier failure. */
  moneyOutcome(record: MoneyRecord, state: MoneyState): void {
    const prev = this.money.get(record.key);
    if (prev?.state === 'confirmed') return;
    // A failure after an uncertain attempt does not make the first attempt fail: it stays uncertain.
    if (prev?.state === 'uncertain' && state === 'failed') return;
    this.money.set(record.key, { state, record });
    this.listsDirty = true;
    if (state === 'uncertain') this.markUncertain(record.playerId);
  }

  replayed(matched: boolean): void {
    this.replays++;
    if (!matched) this.replayMismatches++;
  }

  /** A confirmed movement of the player's balance (deposits +, withdrawals/bets/chargebacks −, wins +). */
  balanceDelta(playerId: string, delta: number): void {
    if (!this.balances.has(playerId)) this.balances.set(playerId, 0);
    const b = this.balances.get(playerId);
    if (b !== undefined) this.balances.set(playerId, b + delta);
  }

  /** Something happened whose effect on the player's balance is unknown: stop predicting it. */
  markUncertain(playerId: string): void {
    this.balances.set(playerId, undefined);
  }

  /** The balance expected, or undefined when unknown. */
  expectedBalance(playerId: string): number | undefined {
    return this.balances.has(playerId) ? this.balances.get(playerId) : 0;
  }

  wsSession(version: string | undefined): void {
    if (version === undefined) {
      this.ws.failed++;
      return;
    }
    this.ws.sessions++;
    this.wsVersion(version).sessions++;
  }

  wsPong(version: string, rttMs: number): void {
    const v = this.wsVersion(version);
    v.pongs++;
    v.rttMsSum += rttMs;
    v.rtts.push(rttMs);
    if (v.rtts.length > RTT_WINDOW) v.rtts.splice(0, v.rtts.length - RTT_WINDOW);
  }

  private wsVersion(version: string) {
    this.ws.byVersion[version] ??= { sessions: 0, pongs: 0, rttMsSum: 0, rtts: [] };
    return this.ws.byVersion[version];
  }

  summary(elapsedMs: number, running: boolean): TrafficSummary {
    if (this.listsDirty) {
      this.confirmed.length = 0;
      this.failed.length = 0;
      this.uncertain.length = 0;
      for (const { state, record } of this.money.values()) this[state].push(record);
      this.listsDirty = false;
    }
    const wsByVersion: TrafficSummary['ws']['byVersion'] = Object.fromEntries(
      Object.entries(this.ws.byVersion).map(([v, s]) => [
        v,
        { sessions: s.sessions, pongs: s.pongs, rttMsSum: s.rttMsSum, rttP95Ms: p95(s.rtts) },
      ]),
    );
    const expectedBalances: Record<string, number> = {};
    for (const [player, b] of this.balances) if (b !== undefined) expectedBalances[player] = b;
    return {
      runId: this.runId,
      seed: this.seed,
      elapsedMs,
      running,
      journeys: { ...this.journeys },
      population: this.population,
      // The counter tables are small: copied, so a caller can diff two snapshots.
      byEndpoint: structuredClone(this.byEndpoint),
      deposits: structuredClone(this.deposits),
      ws: { sessions: this.ws.sessions, failed: this.ws.failed, byVersion: wsByVersion },
      money: {
        confirmed: this.confirmed,
        failed: this.failed,
        uncertain: this.uncertain,
        replays: this.replays,
        replayMismatches: this.replayMismatches,
      },
      expectedBalances,
    };
  }
}

function p95(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number;
}
