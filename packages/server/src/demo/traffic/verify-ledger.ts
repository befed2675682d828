/**
 * verifyLedger: reconciles the wallet's ledger with what the generator saw. The wallet proves its own
 * consistency (GET /wallet/ledger/check); this adds the outside view, over the entries of this run's players
 * (GET /wallet/ledger/entries?player=<runId>-): every deposit, withdrawal and chargeback confirmed to a player is
 * in the ledger exactly once with its amount (none lost, none duplicated), nothing is in the ledger that the
 * generator saw fail or never asked for, and every player whose every request got an answer has exactly the
 * balance the generator expects.
 */
import { request } from 'undici';
import type { LedgerEntry } from '../platform/ledger.js';
import type { LedgerVerification, MoneyReconciliation, MoneyRecord, TrafficSummary } from './index.js';

const PAGE = 5000;

async function getJson(url: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode} ${text.slice(0, 200)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export async function verifyLedger(
  walletUrl: string,
  summary: TrafficSummary,
  options: { timeoutMs?: number } = {},
): Promise<LedgerVerification> {
  const base = walletUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const check = await getJson(`${base}/wallet/ledger/check`, timeoutMs);
  const entries: LedgerEntry[] = [];
  for (let after = 0; ; ) {
    const page = await getJson(
      `${base}/wallet/ledger/entries?player=${encodeURIComponent(`${summary.runId}-`)}&after=${after}&limit=${PAGE}`,
      timeoutMs,
    );
    entries.push(...(page.entries as LedgerEntry[]));
    if (typeof page.next !== 'number') break;
    after = page.next;
  }

  const { confirmed, uncertain } = summary.money;
  const reconcile = (kind: MoneyRecord['kind']) =>
    reconcileKind(
      confirmed.filter((r) => r.kind === kind),
      new Set(uncertain.filter((r) => r.kind === kind).map((r) => r.key)),
      entries.filter((e) => e.kind === kind),
    );
  const deposits = reconcile('deposit');
  const withdrawals = reconcile('withdraw');
  const chargebacks = reconcile('chargeback');

  const ledgerSums = new Map<string, number>();
  for (const e of entries) ledgerSums.set(e.playerId, (ledgerSums.get(e.playerId) ?? 0) + e.amount);
  const mismatched: LedgerVerification['players']['mismatched'] = [];
  let checked = 0;
  for (const [playerId, expected] of Object.entries(summary.expectedBalances)) {
    checked++;
    const ledger = ledgerSums.get(playerId) ?? 0;
    if (ledger !== expected) mismatched.push({ playerId, expected, ledger });
  }
  const skipped = [...ledgerSums.keys()].filter((p) => !(p in summary.expectedBalances)).length;

  const wallet = {
    balanced: check.balanced === true,
    entries: typeof check.entries === 'number' ? check.entries : 0,
    problems: Array.isArray(check.problems) ? (check.problems as string[]) : [],
  };
  const problems: string[] = [];
  if (!wallet.balanced) problems.push(`the wallet's ledger does not balance: ${wallet.problems.join('; ')}`);
  for (const [name, r] of [
    ['deposit', deposits],
    ['withdrawal', withdrawals],
    ['chargeback', chargebacks],
  ] as const) {
    if (r.lost.length)
      problems.push(`${r.lost.length} confirmed ${name}(s) missing from the ledger: ${list(r.lost)}`);
    if (r.duplicated.length)
      problems.push(`${r.duplicated.length} ${name}(s) booked twice: ${list(r.duplicated)}`);
    if (r.phantom.length) {
      problems.push(
        `${r.phantom.length} ${name}(s) in the ledger that failed or were never confirmed: ${list(r.phantom)}`,
      );
    }
    if (r.mismatched.length)
      problems.push(`${r.mismatched.length} ${name}(s) with another amount: ${list(r.mismatched)}`);
  }
  if (mismatched.length) {
    const m = mismatched[0] as (typeof mismatched)[number];
    problems.push(
      `${mismatched.length} player balance(s) differ, e.g. ${m.playerId}: expected ${m.expected}, ledger ${m.ledger}`,
    );
  }
  if (summary.money.replayMismatches > 0) {
    problems.push(
      `${summary.money.replayMismatches} repeated deposit key(s) answered differently the second time`,
    );
  }
  return {
    ok: problems.length === 0,
    wallet,
    deposits,
    withdrawals,
    chargebacks,
    players: { checked, skipped, mismatched },
    problems,
  };
}

function reconcileKind(
  confirmed: readonly MoneyRecord[],
  uncertainKeys: ReadonlySet<string>,
  entries: readonly LedgerEntry[],
): MoneyReconciliation {
  const byKey = new Map<string, LedgerEntry[]>();
  for (const e of entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  const confirmedKeys = new Set(confirmed.map((r) => r.key));
  const lost: string[] = [];
  const mismatched: string[] = [];
  for (const r of confirmed) {
    const found = byKey.get(r.key);
    if (!found) lost.push(r.key);
    else if (found.some((e) => Math.abs(e.amount) !== r.amount || e.playerId !== r.playerId))
      mismatched.push(r.key);
  }
  const duplicated = [...byKey].filter(([, es]) => es.length > 1).map(([k]) => k);
  const phantom = [...byKey.keys()].filter((k) => !confirmedKeys.has(k) && !uncertainKeys.has(k));
  return { confirmed: confirmed.length, inLedger: entries.length, lost, duplicated, phantom, mismatched };
}

function list(keys: readonly string[]): string {
  return keys.length > 5 ? `${keys.slice(0, 5).join(', ')} …` : keys.join(', ');
}
