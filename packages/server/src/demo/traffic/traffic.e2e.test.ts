import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LEDGER_FILE } from '../platform/ledger.js';
import type { Scenario } from '../platform/scenarios.js';
import type { ServiceOptions } from '../platform/service.js';
import { type TestPlatform, testPlatform } from '../platform/testing/start-platform.js';
import {
  startTraffic,
  type TrafficHandle,
  type TrafficOptions,
  type TrafficSummary,
  verifyLedger,
} from './index.js';
import { type MiniGateway, startMiniGateway } from './testing/mini-gateway.js';

let platform: TestPlatform;
let gateway: MiniGateway | undefined;
let traffic: TrafficHandle | undefined;
beforeEach(() => {
  platform = testPlatform(3);
});
afterEach(async () => {
  await traffic?.stop();
  await gateway?.close();
  await platform.close();
  traffic = undefined;
  gateway = undefined;
});

const PREFIXES = {
  auth: '/auth',
  wallet: '/wallet',
  bets: '/bets',
  'game-gateway': '/games',
  promo: '/promo',
} as const;

/** All five services in v1 and v2 behind the mini gateway, half the players on v2. */
async function platformBehindGateway(
  scenario: Scenario,
  v2Extra: Partial<ServiceOptions> = {},
): Promise<string> {
  const services = [];
  for (const [service, prefix] of Object.entries(PREFIXES) as [keyof typeof PREFIXES, string][]) {
    const v1 = await platform.start(service, 'v1', scenario);
    const v2 = await platform.start(service, 'v2', scenario, service === 'wallet' ? v2Extra : {});
    services.push({ prefix, stable: { version: 'v1', url: v1.url }, canary: { version: 'v2', url: v2.url } });
  }
  gateway = await startMiniGateway(services, 50);
  return gateway.url;
}

async function play(options: TrafficOptions, journeys: number): Promise<TrafficSummary> {
  traffic = startTraffic(options);
  for (let i = 0; i < 3000 && traffic.stats().journeys.completed < journeys; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const summary = await traffic.stop();
  expect(summary.journeys.completed).toBeGreaterThanOrEqual(journeys);
  expect(summary.journeys.inFlight).toBe(0);
  return summary;
}

describe('traffic generator', () => {
  it('plays full journeys through a gateway, counts by version and PSP, and the ledger reconciles', async () => {
    const url = await platformBehindGateway('healthy');
    const s = await play(
      {
        gatewayUrl: url,
        seed: 5,
        speed: 50,
        playersPerSecond: 4,
        population: 300,
        runId: 'run1',
        wsShare: 0.5,
      },
      60,
    );
    expect(s.population).toMatchObject({ size: 300, employees: 3 });
    expect(s.population.vips).toBeGreaterThan(0);
    expect(Object.values(s.population.byMarket).every((n) => n > 0)).toBe(true);
    for (const endpoint of ['login', '2fa', 'deposit', 'bet', 'settle', 'withdraw', 'ws']) {
      expect(Object.keys(s.byEndpoint[endpoint] ?? {}).sort(), endpoint).toEqual(['v1', 'v2']);
    }
    expect(Object.keys(s.deposits).sort()).toEqual(['A', 'B', 'C']);
    const serverErrors = Object.values(s.byEndpoint).flatMap((byV) =>
      Object.values(byV).map((c) => c.serverErrors),
    );
    expect(serverErrors.every((n) => n === 0)).toBe(true);
    expect(s.ws.sessions).toBeGreaterThan(0);
    expect(s.ws.byVersion.v2?.pongs).toBeGreaterThan(0);
    expect(s.money.uncertain).toHaveLength(0);

    const result = await verifyLedger(url, s);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.deposits.confirmed).toBeGreaterThan(40);
    expect(result.deposits.inLedger).toBe(result.deposits.confirmed);
    expect(result.withdrawals.confirmed).toBeGreaterThan(0);
    expect(result.players.checked).toBeGreaterThan(40);
    expect(result.players.mismatched).toEqual([]);
  });

  it('psp-failure: only v2 fails, only at PSP B, failed deposits move no money and are retried', async () => {
    // A high rate so a short test sees many failures; the configured 4 % is checked in scenarios.test.ts.
    const url = await platformBehindGateway('psp-failure', {
      profile: { pspFailure: { psp: 'B', rate: 0.3 } },
    });
    const s = await play(
      {
        gatewayUrl: url,
        seed: 9,
        speed: 50,
        population: 300,
        runId: 'run2',
        steps: { ws: false, bets: false },
      },
      80,
    );
    expect(s.deposits.B?.v2?.serverErrors).toBeGreaterThan(0);
    expect(s.deposits.B?.v1?.serverErrors ?? 0).toBe(0);
    expect(s.deposits.A?.v2?.serverErrors ?? 0).toBe(0);
    expect(s.deposits.C?.v2?.serverErrors ?? 0).toBe(0);
    expect(s.money.failed.length).toBeGreaterThan(0);
    const failedDeposits = s.money.failed.filter((r) => r.kind === 'deposit');
    expect(failedDeposits.length).toBeGreaterThan(0);
    expect(failedDeposits.every((r) => r.psp === 'B' && r.version === 'v2')).toBe(true);
    const result = await verifyLedger(url, s);
    expect(result.problems).toEqual([]);
    expect(result.deposits.phantom).toEqual([]);
  });

  it('runs against the services directly (no gateway), and verifyLedger catches a lost and a phantom deposit', async () => {
    const auth = await platform.start('auth', 'v1');
    const wallet = await platform.start('wallet', 'v1');
    const s = await play(
      {
        gatewayUrl: wallet.url,
        urls: { auth: auth.url },
        seed: 1,
        speed: 50,
        population: 100,
        runId: 'run3',
        steps: { bets: false, ws: false, promo: false, chargeback: false },
      },
      30,
    );
    expect(Object.keys(s.byEndpoint.deposit ?? {})).toEqual(['unknown']);
    expect((await verifyLedger(wallet.url, s)).ok).toBe(true);

    // A deposit of a player who still holds at least that much, so the tampered ledger stays self-consistent.
    const lost = s.money.confirmed.find(
      (r) => r.kind === 'deposit' && (s.expectedBalances[r.playerId] ?? 0) >= r.amount,
    );
    expect(lost).toBeDefined();
    const db = new SqliteDatabase(join(platform.dataDir, LEDGER_FILE));
    db.prepare('DELETE FROM entries WHERE idem_key = ?').run(lost?.key);
    db.prepare('DELETE FROM idempotency WHERE key = ?').run(lost?.key);
    db.prepare('UPDATE accounts SET balance = balance - ? WHERE player_id = ?').run(
      lost?.amount,
      lost?.playerId,
    );
    db.prepare(
      "INSERT INTO entries (player_id, kind, amount, idem_key, version, at) VALUES (?, 'deposit', 100, 'run3-ghost', 'v1', 0)",
    ).run(lost?.playerId);
    db.prepare('UPDATE accounts SET balance = balance + 100 WHERE player_id = ?').run(lost?.playerId);
    db.close();
    const broken = await verifyLedger(wallet.url, s);
    expect(broken.ok).toBe(false);
    expect(broken.wallet.balanced).toBe(true); // internally consistent, yet it lost a player's deposit
    expect(broken.deposits.lost).toEqual([lost?.key]);
    expect(broken.deposits.phantom).toEqual(['run3-ghost']);
    expect(broken.players.mismatched.map((m) => m.playerId)).toEqual([lost?.playerId]);
    expect(broken.problems.join('\n')).toMatch(/missing from the ledger/);
  });
});
