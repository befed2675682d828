import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from './http-kit.js';
import { LEDGER_FILE, Ledger } from './ledger.js';

const dirs: string[] = [];
const open: Ledger[] = [];
function ledgers(n: number): { dir: string; ls: Ledger[] } {
  const dir = mkdtempSync(join(tmpdir(), 'pitboss-ledger-'));
  dirs.push(dir);
  const ls = Array.from({ length: n }, (_, i) => new Ledger(dir, `v${i + 1}`));
  open.push(...ls);
  return { dir, ls };
}
afterEach(() => {
  for (const l of open.splice(0)) l.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e.code;
    throw e;
  }
  return undefined;
}

describe('Ledger', () => {
  it('credits a deposit once per key, across two connections to the same file (v1 and v2)', () => {
    const { ls } = ledgers(2);
    const [v1, v2] = ls as [Ledger, Ledger];
    const first = v1.deposit({ playerId: 'p1', amount: 5000, psp: 'A', key: 'k1' });
    const again = v2.deposit({ playerId: 'p1', amount: 5000, psp: 'A', key: 'k1' });
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(again.body).toEqual(first.body);
    expect(v2.balance('p1')).toBe(5000);
    expect(v1.entries({ kinds: ['deposit'] })).toHaveLength(1);
    // The same key for another request is refused, not silently replayed.
    expect(code(() => v2.deposit({ playerId: 'p1', amount: 6000, psp: 'A', key: 'k1' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(code(() => v2.withdraw({ playerId: 'p1', amount: 5000, key: 'k1' }))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    expect(v1.check().balanced).toBe(true);
  });

  it('never overdraws: interleaved withdrawals and bets from two processes stop at zero', () => {
    const { ls } = ledgers(2);
    const [v1, v2] = ls as [Ledger, Ledger];
    v1.deposit({ playerId: 'p', amount: 1000, psp: 'B', key: 'd' });
    let ok = 0;
    let refused = 0;
    for (let i = 0; i < 30; i++) {
      const l = i % 2 === 0 ? v1 : v2;
      const c = code(() =>
        i % 3 === 0
          ? l.placeBet({ playerId: 'p', amount: 70, game: 'g' })
          : l.withdraw({ playerId: 'p', amount: 70, key: `w${i}` }),
      );
      if (c === undefined) ok++;
      else {
        expect(c).toBe('INSUFFICIENT_FUNDS');
        refused++;
      }
    }
    expect(ok).toBe(14); // 14 × 70 = 980 ≤ 1000 < 15 × 70
    expect(refused).toBe(16);
    expect(v2.balance('p')).toBe(20);
    // A refused withdrawal did not consume its key: it may be retried once there is money.
    v2.deposit({ playerId: 'p', amount: 100, psp: 'B', key: 'd2' });
    expect(v1.withdraw({ playerId: 'p', amount: 70, key: 'w29' }).replayed).toBe(false);
    expect(v1.check()).toMatchObject({ balanced: true, negativeBalances: 0, duplicateKeys: 0 });
  });

  it('settles a bet once: the same win replays, another win is refused, wins are credited', () => {
    const { ls } = ledgers(2);
    const [v1, v2] = ls as [Ledger, Ledger];
    v1.deposit({ playerId: 'p', amount: 1000, psp: 'C', key: 'd' });
    const bet = v1.placeBet({ playerId: 'p', amount: 200, game: 'starburst' });
    const betId = bet.body.betId as string;
    expect(v2.settleBet({ betId, win: 500 }).replayed).toBe(false);
    expect(v1.settleBet({ betId, win: 500 }).replayed).toBe(true);
    expect(code(() => v1.settleBet({ betId, win: 900 }))).toBe('BET_ALREADY_SETTLED');
    expect(code(() => v1.settleBet({ betId: 'bet-404', win: 0 }))).toBe('NOT_FOUND');
    expect(v1.balance('p')).toBe(1300);
    const second = v2.placeBet({ playerId: 'p', amount: 100, game: 'g' });
    expect(second.body.betId).not.toBe(betId);
    expect(v1.check()).toMatchObject({ balanced: true, badBets: 0 });
  });

  it('charges a deposit back once and never below zero', () => {
    const { ls } = ledgers(1);
    const [l] = ls as [Ledger];
    l.deposit({ playerId: 'p', amount: 1000, psp: 'A', key: 'd' });
    expect(code(() => l.chargeback({ playerId: 'other', depositKey: 'd', key: 'c0' }))).toBe('NOT_FOUND');
    expect(l.chargeback({ playerId: 'p', depositKey: 'd', key: 'c1' }).body.amount).toBe(1000);
    expect(code(() => l.chargeback({ playerId: 'p', depositKey: 'd', key: 'c2' }))).toBe(
      'ALREADY_CHARGED_BACK',
    );
    l.deposit({ playerId: 'p', amount: 500, psp: 'A', key: 'e' });
    l.withdraw({ playerId: 'p', amount: 400, key: 'w' });
    expect(code(() => l.chargeback({ playerId: 'p', depositKey: 'e', key: 'c3' }))).toBe(
      'INSUFFICIENT_FUNDS',
    );
    expect(l.balance('p')).toBe(100);
    expect(l.check().balanced).toBe(true);
  });

  it('claims a promotion once per player, idempotent by key', () => {
    const { ls } = ledgers(2);
    const [v1, v2] = ls as [Ledger, Ledger];
    const a = v1.claimPromo({ playerId: 'p', promoId: 'welcome', key: 'c1', bonus: 500 });
    expect(v2.claimPromo({ playerId: 'p', promoId: 'welcome', key: 'c1', bonus: 500 }).body).toEqual(a.body);
    expect(code(() => v2.claimPromo({ playerId: 'p', promoId: 'welcome', key: 'c2', bonus: 500 }))).toBe(
      'ALREADY_CLAIMED',
    );
  });

  it('check() finds a balance that is not the sum of its entries, and a missing entry', () => {
    const { dir, ls } = ledgers(1);
    const [l] = ls as [Ledger];
    l.deposit({ playerId: 'p', amount: 1000, psp: 'A', key: 'd1' });
    l.deposit({ playerId: 'q', amount: 300, psp: 'A', key: 'd2' });
    expect(l.check().balanced).toBe(true);
    const raw = new SqliteDatabase(join(dir, LEDGER_FILE));
    raw.prepare("UPDATE accounts SET balance = balance + 1 WHERE player_id = 'p'").run();
    raw.prepare("DELETE FROM entries WHERE idem_key = 'd2'").run();
    raw.close();
    const c = l.check();
    expect(c.balanced).toBe(false);
    expect(c.mismatches.map((m) => m.playerId).sort()).toEqual(['p', 'q']);
    expect(c.orphanKeys).toBe(1);
    expect(c.problems.length).toBeGreaterThan(0);
  });
});
