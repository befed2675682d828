/**
 * The ledger's self-check, read from one snapshot: every account's balance equals the sum of its entries, no
 * balance is negative, every key appears on one entry only, every successful money request stored under an
 * idempotency key has exactly its one entry, and every bet has its one stake entry and (settled with a win) its
 * one win entry. `balanced` is true only when all of that holds; the demo's final check and the e2e test read it.
 */
import type SqliteDatabase from 'better-sqlite3';

export interface KindTotal {
  readonly count: number;
  /** Signed sum in cents. */
  readonly sum: number;
}

export interface LedgerCheck {
  readonly balanced: boolean;
  readonly entries: number;
  readonly players: number;
  readonly sumEntries: number;
  readonly sumBalances: number;
  readonly byKind: Readonly<Record<string, KindTotal>>;
  /** Accounts whose balance is not the sum of their entries (first 20). */
  readonly mismatches: readonly { playerId: string; balance: number; sumEntries: number }[];
  readonly negativeBalances: number;
  /** Keys carried by more than one entry. */
  readonly duplicateKeys: number;
  /** Successful deposit/withdraw/chargeback keys with no entry, or with an entry of another kind. */
  readonly orphanKeys: number;
  /** Bets whose stake or win entries are missing, doubled or of the wrong amount. */
  readonly badBets: number;
  readonly problems: readonly string[];
}

export function checkLedger(db: SqliteDatabase.Database): LedgerCheck {
  const one = <T>(sql: string): T => db.prepare(sql).get() as T;
  const totals = one<{ n: number; s: number | null }>('SELECT count(*) AS n, sum(amount) AS s FROM entries');
  const accounts = one<{ n: number; s: number | null }>(
    'SELECT count(*) AS n, sum(balance) AS s FROM accounts',
  );
  const byKind: Record<string, KindTotal> = {};
  for (const r of db
    .prepare('SELECT kind, count(*) AS n, sum(amount) AS s FROM entries GROUP BY kind')
    .all() as {
    kind: string;
    n: number;
    s: number;
  }[]) {
    byKind[r.kind] = { count: r.n, sum: r.s };
  }
  const perPlayer = `
    SELECT p.player_id AS playerId, coalesce(a.balance, 0) AS balance, coalesce(e.s, 0) AS sumEntries
    FROM (SELECT player_id FROM accounts UNION SELECT player_id FROM entries) p
    LEFT JOIN accounts a ON a.player_id = p.player_id
    LEFT JOIN (SELECT player_id, sum(amount) AS s FROM entries GROUP BY player_id) e ON e.player_id = p.player_id
    WHERE coalesce(a.balance, 0) != coalesce(e.s, 0)`;
  const mismatchCount = one<{ n: number }>(`SELECT count(*) AS n FROM (${perPlayer})`).n;
  const mismatches = db.prepare(`${perPlayer} LIMIT 20`).all() as LedgerCheck['mismatches'];
  const negativeBalances = one<{ n: number }>('SELECT count(*) AS n FROM accounts WHERE balance < 0').n;
  const duplicateKeys = one<{ n: number }>(
    'SELECT count(*) AS n FROM (SELECT idem_key FROM entries GROUP BY idem_key HAVING count(*) > 1)',
  ).n;
  const orphanKeys = one<{ n: number }>(`
    SELECT count(*) AS n FROM idempotency i
    WHERE i.op IN ('deposit', 'withdraw', 'chargeback') AND i.status = 200
      AND (SELECT count(*) FROM entries e WHERE e.idem_key = i.key AND e.kind = i.op) != 1`).n;
  const badBets = one<{ n: number }>(`
    SELECT count(*) AS n FROM bets b
    WHERE (SELECT count(*) FROM entries e WHERE e.idem_key = 'bet:' || b.id AND e.kind = 'bet' AND e.amount = -b.amount) != 1
       OR (SELECT count(*) FROM entries e WHERE e.idem_key = 'win:' || b.id) != (CASE WHEN b.win > 0 THEN 1 ELSE 0 END)
       OR (b.win > 0 AND (SELECT amount FROM entries e WHERE e.idem_key = 'win:' || b.id) != b.win)`).n;

  const sumEntries = totals.s ?? 0;
  const sumBalances = accounts.s ?? 0;
  const problems: string[] = [];
  if (sumEntries !== sumBalances)
    problems.push(`entries sum to ${sumEntries} but balances to ${sumBalances}`);
  if (mismatchCount > 0) problems.push(`${mismatchCount} account(s) differ from the sum of their entries`);
  if (negativeBalances > 0) problems.push(`${negativeBalances} negative balance(s)`);
  if (duplicateKeys > 0) problems.push(`${duplicateKeys} key(s) on more than one entry`);
  if (orphanKeys > 0) problems.push(`${orphanKeys} successful request key(s) without exactly one entry`);
  if (badBets > 0) problems.push(`${badBets} bet(s) with missing, doubled or wrong entries`);
  return {
    balanced: problems.length === 0,
    entries: totals.n,
    players: one<{ n: number }>('SELECT count(*) AS n FROM accounts').n,
    sumEntries,
    sumBalances,
    byKind,
    mismatches,
    negativeBalances,
    duplicateKeys,
    orphanKeys,
    badBets,
    problems,
  };
}
