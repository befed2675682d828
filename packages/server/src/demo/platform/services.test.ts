import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { twoFactorCode } from './auth.js';
import { get, post, type TestPlatform, testPlatform } from './testing/start-platform.js';

let platform: TestPlatform;
beforeEach(() => {
  platform = testPlatform();
});
afterEach(() => platform.close());

describe('auth', () => {
  it('logs in with the demo password, then the 2FA code; v2 accepts a v1 session', async () => {
    const v1 = await platform.start('auth', 'v1');
    const v2 = await platform.start('auth', 'v2');
    const login = await post(`${v1.url}/auth/login`, { playerId: 'p1', password: 'pw-p1' });
    expect(login.status).toBe(200);
    const session = login.body.session as string;
    const code = (login.body.twoFactor as { demoCode: string }).demoCode;
    expect(code).toBe(twoFactorCode(session));
    const tfa = await post(`${v2.url}/auth/2fa`, { session, code });
    expect(tfa.status).toBe(200);
    expect(tfa.body).toMatchObject({ playerId: 'p1', token: expect.any(String) });
    const wrongCode = await post(`${v2.url}/auth/2fa`, {
      session,
      code: code === '000000' ? '111111' : '000000',
    });
    expect(wrongCode).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED', field: 'code' } });
    const forged = await post(`${v2.url}/auth/2fa`, { session: `${session.slice(0, -2)}xx`, code });
    expect(forged).toMatchObject({ status: 401, body: { field: 'session' } });
  });

  it('answers a wrong password 401 and bad input 400 naming the field', async () => {
    const s = await platform.start('auth', 'v1');
    expect((await post(`${s.url}/auth/login`, { playerId: 'p1', password: 'nope' })).status).toBe(401);
    expect(await post(`${s.url}/auth/login`, { playerId: 'p1' })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', field: 'password' },
    });
    expect(await post(`${s.url}/auth/login`, '{"playerId":')).toMatchObject({
      status: 400,
      body: { code: 'BAD_JSON' },
    });
    expect(await post(`${s.url}/auth/login`, '[1,2]')).toMatchObject({
      status: 400,
      body: { code: 'BAD_JSON' },
    });
    expect(await post(`${s.url}/auth/login`, { playerId: 'x'.repeat(70_000), password: 'p' })).toMatchObject({
      status: 413,
      body: { code: 'PAYLOAD_TOO_LARGE' },
    });
    expect((await get(`${s.url}/auth/login`)).status).toBe(405);
    expect((await get(`${s.url}/nope`)).status).toBe(404);
    expect(await get(`${s.url}/healthz`)).toMatchObject({
      status: 200,
      body: { service: 'auth', version: 'v1' },
    });
  });
});

describe('wallet', () => {
  it('deposits with x-psp, replays a repeated key from the other version, withdraws, reports balance', async () => {
    const v1 = await platform.start('wallet', 'v1');
    const v2 = await platform.start('wallet', 'v2');
    const body = { playerId: 'p1', amount: 5000, psp: 'B', idempotencyKey: 'k1' };
    const first = await post(`${v1.url}/wallet/deposit`, body);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-psp')).toBe('B');
    expect(first.headers.get('x-outcome')).toBe('ok');
    const again = await post(`${v2.url}/wallet/deposit`, body);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const wd = await post(`${v2.url}/wallet/withdraw`, {
      playerId: 'p1',
      amount: 2000,
      idempotencyKey: 'w1',
    });
    expect(wd).toMatchObject({ status: 200, body: { balance: 3000 } });
    const over = await post(`${v1.url}/wallet/withdraw`, {
      playerId: 'p1',
      amount: 3001,
      idempotencyKey: 'w2',
    });
    expect(over).toMatchObject({ status: 409, body: { code: 'INSUFFICIENT_FUNDS' } });
    expect(await get(`${v1.url}/wallet/balance?playerId=p1`)).toMatchObject({ body: { balance: 3000 } });
    const check = await get(`${v2.url}/wallet/ledger/check`);
    expect(check.body).toMatchObject({ balanced: true, entries: 2 });
    const entries = await get(`${v1.url}/wallet/ledger/entries?kinds=deposit&player=p`);
    expect(entries.body.entries).toEqual([
      expect.objectContaining({ key: 'k1', amount: 5000, psp: 'B', version: 'v1' }),
    ]);
  });

  it('validates deposits, withdrawals and the ledger export', async () => {
    const s = await platform.start('wallet', 'v1');
    const base = { playerId: 'p1', amount: 100, psp: 'A', idempotencyKey: 'k' };
    const bad: [Record<string, unknown>, string][] = [
      [{ ...base, psp: 'Z' }, 'psp'],
      [{ ...base, amount: 1.5 }, 'amount'],
      [{ ...base, amount: '100' }, 'amount'],
      [{ ...base, idempotencyKey: '' }, 'idempotencyKey'],
      [{ ...base, playerId: 7 }, 'playerId'],
    ];
    for (const [b, field] of bad) {
      expect(await post(`${s.url}/wallet/deposit`, b)).toMatchObject({ status: 400, body: { field } });
    }
    expect(
      await post(`${s.url}/wallet/withdraw`, { playerId: 'p', amount: 0, idempotencyKey: 'w' }),
    ).toMatchObject({
      status: 400,
      body: { field: 'amount' },
    });
    expect((await get(`${s.url}/wallet/balance`)).body).toMatchObject({ field: 'playerId' });
    expect((await get(`${s.url}/wallet/ledger/entries?kinds=gift`)).body).toMatchObject({ field: 'kinds' });
    expect((await get(`${s.url}/wallet/ledger/entries?limit=0`)).body).toMatchObject({ field: 'limit' });
  });

  it('a shadow copy (x-pitboss-mirror: 1) moves no money', async () => {
    const s = await platform.start('wallet', 'v2');
    const res = await post(
      `${s.url}/wallet/deposit`,
      { playerId: 'p1', amount: 100, psp: 'A', idempotencyKey: 'm' },
      { 'x-pitboss-mirror': '1' },
    );
    expect(res.body).toMatchObject({ dryRun: true });
    expect((await get(`${s.url}/wallet/ledger/check`)).body).toMatchObject({ entries: 0, balanced: true });
  });
});

describe('bets', () => {
  it('stakes through the shared ledger and settles once', async () => {
    const wallet = await platform.start('wallet', 'v1');
    const b1 = await platform.start('bets', 'v1');
    const b2 = await platform.start('bets', 'v2');
    await post(`${wallet.url}/wallet/deposit`, {
      playerId: 'p',
      amount: 1000,
      psp: 'A',
      idempotencyKey: 'd',
    });
    const bet = await post(`${b1.url}/bets/bet`, { playerId: 'p', amount: 300, game: 'starburst' });
    expect(bet).toMatchObject({ status: 200, body: { balance: 700 } });
    const betId = bet.body.betId as string;
    expect(await post(`${b2.url}/bets/settle`, { betId, win: 600 })).toMatchObject({
      body: { balance: 1300 },
    });
    const replay = await post(`${b1.url}/bets/settle`, { betId, win: 600 });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await post(`${b1.url}/bets/settle`, { betId, win: 1 })).toMatchObject({ status: 409 });
    expect(await post(`${b1.url}/bets/bet`, { playerId: 'p', amount: 5000, game: 'g' })).toMatchObject({
      status: 409,
      body: { code: 'INSUFFICIENT_FUNDS' },
    });
    expect(await post(`${b1.url}/bets/settle`, { betId, win: -1 })).toMatchObject({
      status: 400,
      body: { field: 'win' },
    });
    expect(await post(`${b1.url}/bets/bet`, { playerId: 'p', amount: 5 })).toMatchObject({
      body: { field: 'game' },
    });
    expect((await get(`${wallet.url}/wallet/ledger/check`)).body).toMatchObject({
      balanced: true,
      badBets: 0,
    });
  });
});

describe('promo', () => {
  it('claims idempotently by key, once per player and promotion', async () => {
    const v1 = await platform.start('promo', 'v1');
    const v2 = await platform.start('promo', 'v2');
    const claim = { playerId: 'p', promoId: 'welcome', idempotencyKey: 'c1' };
    const a = await post(`${v1.url}/promo/claim`, claim);
    expect(a.status).toBe(200);
    expect((await post(`${v2.url}/promo/claim`, claim)).body).toEqual(a.body);
    expect(await post(`${v2.url}/promo/claim`, { ...claim, idempotencyKey: 'c2' })).toMatchObject({
      status: 409,
      body: { code: 'ALREADY_CLAIMED' },
    });
    expect(await post(`${v1.url}/promo/claim`, { playerId: 'p' })).toMatchObject({
      status: 400,
      body: { field: 'promoId' },
    });
  });
});

describe('game-gateway', () => {
  it('answers pings, game pings and spins on /games/ws, and survives garbage', async () => {
    const s = await platform.start('game-gateway', 'v1');
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/games/ws`);
    const messages: Record<string, unknown>[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
    ws.ping('hello');
    expect(await pong).toBe('hello');
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'spin', id: 2, stake: -1 }));
    ws.send(JSON.stringify({ type: 'spin', id: 3, stake: 100 }));
    ws.send(JSON.stringify({ type: 'ping', id: 4 }));
    ws.send(JSON.stringify({ type: 'chat', id: 5, text: 'hi' }));
    await waitFor(() => messages.length >= 5);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'error', code: 'BAD_JSON' }),
        expect.objectContaining({ type: 'error', id: 2, field: 'stake' }),
        expect.objectContaining({ type: 'result', id: 3, stake: 100 }),
        expect.objectContaining({ type: 'pong', id: 4, version: 'v1' }),
        expect.objectContaining({ type: 'echo', id: 5 }),
      ]),
    );
    expect(ws.readyState).toBe(WebSocket.OPEN);
    const closed = new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    await s.close();
    expect(await closed).toBe(1001);
    expect(await post(`${(await platform.start('game-gateway', 'v2')).url}/games/launch`, {})).toMatchObject({
      status: 400,
      body: { field: 'playerId' },
    });
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
