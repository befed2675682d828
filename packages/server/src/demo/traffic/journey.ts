/**
 * One player's visit: login (a few mistype their password first) → 2FA → deposit through their PSP (a failed
 * deposit is retried once with the same key, then once through another PSP with a new key) → several bets,
 * each settled → sometimes a chargeback of the deposit and a promotion claim → a withdrawal. Some players also
 * play on the game WebSocket meanwhile. Every money request's end state and every confirmed balance movement
 * go to the recorder, which is the generator's own ledger.
 */
import type { Rng } from '../platform/rng.js';
import { PSPS, type Psp } from '../platform/scenarios.js';
import type { CallResult, HttpClient } from './http-client.js';
import type { JourneyStep, MoneyRecord } from './index.js';
import { depositAmount, type Player, stakeAmount } from './players.js';
import type { Recorder } from './recorder.js';

export interface JourneyEnv {
  readonly client: HttpClient;
  readonly recorder: Recorder;
  readonly wsShare: number;
  readonly chargebackShare: number;
  readonly steps: Readonly<Partial<Record<JourneyStep, boolean>>>;
  /** Waits a think time drawn between min and max ms at speed 1 (shorter at higher speeds, none when stopping). */
  think(rng: Rng, minMs: number, maxMs: number): Promise<void>;
  stopping(): boolean;
  /** A game WebSocket session; resolves when it ends. */
  playWs(player: Player, rng: Rng): Promise<void>;
}

/** Resolves true when the journey played to its end, false when it stopped early (auth failed, stopping). */
export async function playJourney(env: JourneyEnv, player: Player, rng: Rng, tag: string): Promise<boolean> {
  const on = (step: JourneyStep) => env.steps[step] !== false;
  const { client, recorder } = env;
  let keyCount = 0;
  const newKey = (kind: string) => `${tag}-${kind}-${keyCount++}`;

  if (on('login') && !(await login(env, player, rng))) return false;
  const ws = on('ws') && rng.chance(env.wsShare) ? env.playWs(player, rng) : undefined;
  try {
    if (env.stopping()) return false;
    let deposit: MoneyRecord | undefined;
    if (on('deposit')) {
      await env.think(rng, 300, 1500);
      deposit = await depositWithRetries(env, player, rng, newKey);
    }
    if (on('bets')) {
      const bets = rng.int(2, 8);
      for (let i = 0; i < bets && !env.stopping(); i++) {
        await env.think(rng, 300, 2000);
        if (!(await betAndSettle(env, player, rng))) break;
      }
    }
    if (on('chargeback') && deposit && rng.chance(env.chargebackShare)) {
      await env.think(rng, 200, 1000);
      const key = newKey('cb');
      await money(env, { kind: 'chargeback', key, playerId: player.id, amount: deposit.amount }, () =>
        client.call('chargeback', 'wallet', 'POST', '/wallet/chargeback', player, {
          playerId: player.id,
          depositKey: deposit.key,
          idempotencyKey: key,
        }),
      );
    }
    if (on('promo') && rng.chance(0.25)) {
      await client.call('claim', 'promo', 'POST', '/promo/claim', player, {
        playerId: player.id,
        promoId: rng.pick(['welcome', 'weekend-reload', 'free-spins', 'cashback']),
        idempotencyKey: newKey('claim'),
      });
    }
    if (on('withdraw') && rng.chance(0.6) && !env.stopping()) {
      await env.think(rng, 300, 1500);
      const balance = recorder.expectedBalance(player.id) ?? (await askBalance(client, player));
      if (balance !== undefined && balance >= 1000) {
        const amount = Math.max(1000, Math.floor((balance * (0.3 + 0.7 * rng.next())) / 100) * 100);
        const key = newKey('wd');
        await money(env, { kind: 'withdraw', key, playerId: player.id, amount }, () =>
          client.call('withdraw', 'wallet', 'POST', '/wallet/withdraw', player, {
            playerId: player.id,
            amount,
            idempotencyKey: key,
          }),
        );
      }
    }
    return true;
  } finally {
    await ws;
  }
}

async function login(env: JourneyEnv, player: Player, rng: Rng): Promise<boolean> {
  const { client } = env;
  if (rng.chance(0.01)) {
    await client.call('login', 'auth', 'POST', '/auth/login', player, {
      playerId: player.id,
      password: 'hunter2',
    });
    await env.think(rng, 500, 2000);
  }
  const res = await client.call('login', 'auth', 'POST', '/auth/login', player, {
    playerId: player.id,
    password: `pw-${player.id}`,
  });
  const session = res.body?.session;
  const code = (res.body?.twoFactor as { demoCode?: unknown } | undefined)?.demoCode;
  if (res.status !== 200 || typeof session !== 'string' || typeof code !== 'string') return false;
  await env.think(rng, 1000, 4000);
  const tfa = await client.call('2fa', 'auth', 'POST', '/auth/2fa', player, { session, code });
  return tfa.status === 200;
}

async function depositWithRetries(
  env: JourneyEnv,
  player: Player,
  rng: Rng,
  newKey: (kind: string) => string,
): Promise<MoneyRecord | undefined> {
  const amount = depositAmount(rng, player);
  const attempt = async (psp: Psp, key: string) => {
    const record: MoneyRecord = {
      kind: 'deposit',
      key,
      playerId: player.id,
      amount,
      psp,
      version: 'unknown',
    };
    const body = { playerId: player.id, amount, psp, idempotencyKey: key };
    const send = () => env.client.call('deposit', 'wallet', 'POST', '/wallet/deposit', player, body, psp);
    const res = await money(env, record, send);
    // Now and then the app resends a confirmed deposit (a lost answer, a double tap): it must be a replay.
    if (res.status === 200 && rng.chance(0.03)) {
      const again = await send();
      if (again.status === 200) env.recorder.replayed(again.body?.depositId === res.body?.depositId);
    }
    return res;
  };
  const key = newKey('dep');
  let res = await attempt(player.psp, key);
  if (res.status !== 200 && res.status !== 'network' && res.status >= 500) {
    await env.think(rng, 500, 2000);
    res = await attempt(player.psp, key);
    if (res.status !== 200 && res.status !== 'network' && res.status >= 500) {
      await env.think(rng, 500, 2000);
      const other = rng.pick(PSPS.filter((p) => p !== player.psp));
      const otherKey = newKey('dep');
      res = await attempt(other, otherKey);
      if (res.status === 200)
        return {
          kind: 'deposit',
          key: otherKey,
          playerId: player.id,
          amount,
          version: res.version,
          psp: other,
        };
      return undefined;
    }
  }
  return res.status === 200
    ? { kind: 'deposit', key, playerId: player.id, amount, version: res.version, psp: player.psp }
    : undefined;
}

/** Sends a money request and records its end state (and the balance movement when confirmed). */
async function money(
  env: JourneyEnv,
  record: Omit<MoneyRecord, 'version'>,
  send: () => Promise<CallResult>,
): Promise<CallResult> {
  const res = await send();
  const seen = { ...record, version: res.version };
  if (res.status === 200) {
    env.recorder.moneyOutcome(seen, 'confirmed');
    const amount = typeof res.body?.amount === 'number' ? res.body.amount : record.amount;
    env.recorder.balanceDelta(record.playerId, record.kind === 'deposit' ? amount : -amount);
  } else {
    env.recorder.moneyOutcome(seen, res.definitive ? 'failed' : 'uncertain');
  }
  return res;
}

/** One stake and its settlement; false when the player cannot bet any more (no funds, an error). */
async function betAndSettle(env: JourneyEnv, player: Player, rng: Rng): Promise<boolean> {
  const { client, recorder } = env;
  const expected = recorder.expectedBalance(player.id);
  const stake = Math.min(stakeAmount(rng, player), expected ?? Number.POSITIVE_INFINITY);
  if (stake <= 0) return false;
  const game = rng.pick([
    'starburst',
    'book-of-dead',
    'lightning-roulette',
    'blackjack-live',
    'sweet-bonanza',
  ]);
  const bet = await client.call('bet', 'bets', 'POST', '/bets/bet', player, {
    playerId: player.id,
    amount: stake,
    game,
  });
  if (bet.status !== 200) {
    if (!bet.definitive) recorder.markUncertain(player.id);
    return false;
  }
  recorder.balanceDelta(player.id, -stake);
  const betId = bet.body?.betId;
  if (typeof betId !== 'string') return false;
  // The game provider's verdict: 45 % of bets win 1.5–2.7× (RTP ≈ 95 %).
  const r = rng.next();
  const win = r < 0.45 ? Math.round((stake * (1.5 + (r / 0.45) * 1.2)) / 10) * 10 : 0;
  await env.think(rng, 200, 1200);
  for (let attempt = 0; attempt < 2; attempt++) {
    const settle = await client.call('settle', 'bets', 'POST', '/bets/settle', player, { betId, win });
    if (settle.status === 200) {
      recorder.balanceDelta(player.id, win);
      return true;
    }
    if (settle.definitive) return false;
  }
  recorder.markUncertain(player.id);
  return false;
}

async function askBalance(client: HttpClient, player: Player): Promise<number | undefined> {
  const res = await client.call(
    'balance',
    'wallet',
    'GET',
    `/wallet/balance?playerId=${encodeURIComponent(player.id)}`,
    player,
  );
  return res.status === 200 && typeof res.body?.balance === 'number' ? res.body.balance : undefined;
}
