/**
 * The platform's money ledger: one SQLite file (WAL, busy_timeout) in the data directory, opened by the v1 and
 * the v2 process of wallet and bets at the same time. Every operation is one IMMEDIATE transaction (the write
 * lock is taken at BEGIN, so two processes never deadlock upgrading a read lock), every movement is an entry
 * carrying a unique key, and an account's balance is the sum of its entries and never below zero (checked in
 * code and by a CHECK constraint). A client's idempotency key is consumed only by a success: a repeated key gets
 * the first answer back and never moves money twice; a refused or failed operation moved nothing and may be
 * retried with the same key.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { HttpError } from './http-kit.js';
import { checkLedger, type LedgerCheck } from './ledger-check.js';
import { LEDGER_SCHEMA } from './ledger-schema.js';

export type EntryKind = 'deposit' | 'withdraw' | 'chargeback' | 'bet' | 'win';

export interface LedgerEntry {
  readonly id: number;
  readonly playerId: string;
  readonly kind: EntryKind;
  /** Signed, in cents: credits positive, debits negative. */
  readonly amount: number;
  /** The idempotency key (deposit/withdraw/chargeback) or `bet:<id>` / `win:<id>`. */
  readonly key: string;
  readonly psp: string | null;
  readonly version: string;
}

/** An answer as the client got it; replays return it unchanged. */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly replayed: boolean;
}

export const LEDGER_FILE = 'ledger.db';

type Op = 'deposit' | 'withdraw' | 'chargeback' | 'bet' | 'claim';

export class Ledger {
  private readonly db: SqliteDatabase.Database;

  /** Opens (creating when needed) `<dataDir>/ledger.db`; `version` labels the entries this process writes. */
  constructor(
    dataDir: string,
    private readonly version: string,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new SqliteDatabase(join(dataDir, LEDGER_FILE));
    this.db.pragma('busy_timeout = 10000');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(LEDGER_SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  private readonly statements = new Map<string, SqliteDatabase.Statement>();

  /** A prepared statement, prepared once per connection. */
  private sql(text: string): SqliteDatabase.Statement {
    let st = this.statements.get(text);
    if (!st) {
      st = this.db.prepare(text);
      this.statements.set(text, st);
    }
    return st;
  }

  /** The stored answer for a key (a replay), or undefined; lets a service skip the PSP for a repeated key. */
  replay(key: string, op: Op, request: Record<string, unknown>): Answer | undefined {
    const row = this.sql('SELECT op, request, status, response FROM idempotency WHERE key = ?').get(key) as
      | { op: string; request: string; status: number; response: string }
      | undefined;
    if (!row) return undefined;
    if (row.op !== op || row.request !== canonical(request)) {
      throw new HttpError(
        409,
        'IDEMPOTENCY_KEY_REUSED',
        `idempotency key already used for another ${row.op} request`,
        'idempotencyKey',
      );
    }
    return { status: row.status, body: JSON.parse(row.response) as Record<string, unknown>, replayed: true };
  }

  deposit(r: { playerId: string; amount: number; psp: string; key: string }): Answer {
    return this.once(r.key, 'deposit', r, () => {
      const id = this.move(r.playerId, 'deposit', r.amount, r.key, null, r.psp);
      return {
        depositId: `dep-${id}`,
        playerId: r.playerId,
        amount: r.amount,
        psp: r.psp,
        balance: this.bal(r.playerId),
      };
    });
  }

  withdraw(r: { playerId: string; amount: number; key: string }): Answer {
    return this.once(r.key, 'withdraw', r, () => {
      const id = this.move(r.playerId, 'withdraw', -r.amount, r.key, null, null);
      return {
        withdrawalId: `wd-${id}`,
        playerId: r.playerId,
        amount: r.amount,
        balance: this.bal(r.playerId),
      };
    });
  }

  /** Reverses a confirmed deposit of this player (once): the PSP took the money back. */
  chargeback(r: { playerId: string; depositKey: string; key: string }): Answer {
    return this.once(r.key, 'chargeback', r, () => {
      const dep = this.sql(
        "SELECT amount, psp FROM entries WHERE idem_key = ? AND kind = 'deposit' AND player_id = ?",
      ).get(r.depositKey, r.playerId) as { amount: number; psp: string | null } | undefined;
      if (!dep)
        throw new HttpError(404, 'NOT_FOUND', `no deposit ${r.depositKey} for this player`, 'depositKey');
      const done = this.sql("SELECT 1 FROM entries WHERE kind = 'chargeback' AND ref = ?").get(r.depositKey);
      if (done)
        throw new HttpError(
          409,
          'ALREADY_CHARGED_BACK',
          `deposit ${r.depositKey} already charged back`,
          'depositKey',
        );
      const id = this.move(r.playerId, 'chargeback', -dep.amount, r.key, r.depositKey, dep.psp);
      return { chargebackId: `cb-${id}`, amount: dep.amount, balance: this.bal(r.playerId) };
    });
  }

  placeBet(r: { playerId: string; amount: number; game: string; key?: string | undefined }): Answer {
    const run = () => {
      const betId = `bet-${this.nextBetNumber()}`;
      this.move(r.playerId, 'bet', -r.amount, `bet:${betId}`, betId, null);
      this.sql(
        'INSERT INTO bets (id, player_id, amount, game, win, version) VALUES (?, ?, ?, ?, NULL, ?)',
      ).run(betId, r.playerId, r.amount, r.game, this.version);
      return { betId, playerId: r.playerId, amount: r.amount, game: r.game, balance: this.bal(r.playerId) };
    };
    const { key, ...request } = r;
    return key
      ? this.once(key, 'bet', request, run)
      : this.tx(() => ({ status: 200, body: run(), replayed: false }));
  }

  /** Settles a bet once: the same win again replays the answer, another win is refused. */
  settleBet(r: { betId: string; win: number }): Answer {
    return this.tx(() => {
      const bet = this.sql('SELECT player_id, amount, win FROM bets WHERE id = ?').get(r.betId) as
        | { player_id: string; amount: number; win: number | null }
        | undefined;
      if (!bet) throw new HttpError(404, 'NOT_FOUND', `no bet ${r.betId}`, 'betId');
      const body = (balance: number) => ({ betId: r.betId, win: r.win, playerId: bet.player_id, balance });
      if (bet.win !== null) {
        if (bet.win !== r.win) {
          throw new HttpError(
            409,
            'BET_ALREADY_SETTLED',
            `bet ${r.betId} already settled with win ${bet.win}`,
            'win',
          );
        }
        return { status: 200, body: body(this.bal(bet.player_id)), replayed: true };
      }
      this.sql('UPDATE bets SET win = ? WHERE id = ?').run(r.win, r.betId);
      if (r.win > 0) this.move(bet.player_id, 'win', r.win, `win:${r.betId}`, r.betId, null);
      return { status: 200, body: body(this.bal(bet.player_id)), replayed: false };
    });
  }

  /** A promotion claim, once per player and promotion; no money moves (the bonus is granted elsewhere). */
  claimPromo(r: { playerId: string; promoId: string; key: string; bonus: number }): Answer {
    return this.once(r.key, 'claim', r, () => {
      const taken = this.sql('SELECT claim_key FROM promo_claims WHERE player_id = ? AND promo_id = ?').get(
        r.playerId,
        r.promoId,
      );
      if (taken)
        throw new HttpError(409, 'ALREADY_CLAIMED', `promotion ${r.promoId} already claimed`, 'promoId');
      this.sql('INSERT INTO promo_claims (player_id, promo_id, claim_key, bonus) VALUES (?, ?, ?, ?)').run(
        r.playerId,
        r.promoId,
        r.key,
        r.bonus,
      );
      return { claimId: `claim-${r.key}`, playerId: r.playerId, promoId: r.promoId, bonus: r.bonus };
    });
  }

  balance(playerId: string): number {
    return this.bal(playerId);
  }

  /** Entries in id order after `afterId`, optionally of some kinds, keys or player ids starting with a prefix. */
  entries(q: {
    kinds?: EntryKind[];
    keyPrefix?: string;
    playerPrefix?: string;
    afterId?: number;
    limit?: number;
  }): LedgerEntry[] {
    const where = ['id > ?'];
    const args: (string | number)[] = [q.afterId ?? 0];
    if (q.kinds?.length) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(',')})`);
      args.push(...q.kinds);
    }
    if (q.keyPrefix) {
      where.push('substr(idem_key, 1, ?) = ?');
      args.push(q.keyPrefix.length, q.keyPrefix);
    }
    if (q.playerPrefix) {
      where.push('substr(player_id, 1, ?) = ?');
      args.push(q.playerPrefix.length, q.playerPrefix);
    }
    const rows = this.sql(
      `SELECT id, player_id, kind, amount, idem_key, psp, version FROM entries WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`,
    ).all(...args, Math.min(q.limit ?? 1000, 10_000)) as {
      id: number;
      player_id: string;
      kind: EntryKind;
      amount: number;
      idem_key: string;
      psp: string | null;
      version: string;
    }[];
    return rows.map((r) => ({
      id: r.id,
      playerId: r.player_id,
      kind: r.kind,
      amount: r.amount,
      key: r.idem_key,
      psp: r.psp,
      version: r.version,
    }));
  }

  /** Proves the ledger consistent from one snapshot (see ledger-check.ts). */
  check(): LedgerCheck {
    return this.db.transaction(() => checkLedger(this.db))();
  }

  /** Runs `op` under the key: a replay if the key already succeeded, else `op` and its answer stored. */
  private once(
    key: string,
    op: Op,
    request: Record<string, unknown>,
    run: () => Record<string, unknown>,
  ): Answer {
    const { key: _k, ...fields } = request as Record<string, unknown> & { key?: unknown };
    return this.tx(() => {
      const seen = this.replay(key, op, fields);
      if (seen) return seen;
      const body = run();
      this.sql('INSERT INTO idempotency (key, op, request, status, response) VALUES (?, ?, ?, 200, ?)').run(
        key,
        op,
        canonical(fields),
        JSON.stringify(body),
      );
      return { status: 200, body, replayed: false };
    });
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Adds an entry and moves the balance; a debit beyond the balance is refused before anything is written. */
  private move(
    playerId: string,
    kind: EntryKind,
    amount: number,
    key: string,
    ref: string | null,
    psp: string | null,
  ) {
    const balance = this.bal(playerId);
    if (balance + amount < 0) {
      throw new HttpError(409, 'INSUFFICIENT_FUNDS', `balance ${balance} is below ${-amount}`, 'amount');
    }
    // Not an upsert: SQLite checks the CHECK constraint on the proposed insert row before resolving the conflict.
    const updated = this.sql('UPDATE accounts SET balance = balance + ? WHERE player_id = ?').run(
      amount,
      playerId,
    );
    if (updated.changes === 0) {
      this.sql('INSERT INTO accounts (player_id, balance) VALUES (?, ?)').run(playerId, amount);
    }
    const info = this.sql(
      'INSERT INTO entries (player_id, kind, amount, idem_key, ref, psp, version, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(playerId, kind, amount, key, ref, psp, this.version, this.now());
    return Number(info.lastInsertRowid);
  }

  private bal(playerId: string): number {
    const row = this.sql('SELECT balance FROM accounts WHERE player_id = ?').get(playerId) as
      | { balance: number }
      | undefined;
    return row?.balance ?? 0;
  }

  private nextBetNumber(): number {
    const row = this.sql("SELECT seq FROM sqlite_sequence WHERE name = 'entries'").get() as
      | { seq: number }
      | undefined;
    return (row?.seq ?? 0) + 1;
  }
}

/** The request's fields as a stable string, so "the same request again" is an exact comparison. */
function canonical(fields: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]]),
  );
}
