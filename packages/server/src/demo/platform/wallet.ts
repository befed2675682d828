/**
 * wallet: deposits through three PSPs, withdrawals, chargebacks and balances over the shared ledger. Every
 * answer about a deposit carries `x-psp` (the gateway labels its measurements with it) and `x-outcome`. The
 * scenario's faults happen before the ledger is touched, so a failed deposit moves no money; a shadow copy
 * (`x-pitboss-mirror: 1`) is simulated in full but never written.
 */

import { amount, HttpError, oneOf, queryStr, type Reply, type Router, str } from './http-kit.js';
import type { Answer, EntryKind } from './ledger.js';
import { PSPS } from './scenarios.js';
import {
  dryRun as dryRunReply,
  fromAnswer,
  isMirror,
  requireLedger,
  type ServiceContext,
} from './service-context.js';

const KINDS: readonly EntryKind[] = ['deposit', 'withdraw', 'chargeback', 'bet', 'win'];

const answer = (a: Answer, headers: Record<string, string> = {}): Reply =>
  fromAnswer(a, { 'x-outcome': 'ok', ...headers });
const dryRun = (body: Record<string, unknown>, headers: Record<string, string> = {}): Reply =>
  dryRunReply(body, { 'x-outcome': 'ok', ...headers });

export function registerWallet(router: Router, ctx: ServiceContext): void {
  const ledger = requireLedger(ctx);
  const { profile } = ctx;

  router.on('POST', '/wallet/deposit', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const cents = amount(body, 'amount');
    const psp = oneOf(body, 'psp', PSPS);
    const key = str(body, 'idempotencyKey');
    const headers = { 'x-psp': psp };
    const fields = { playerId, amount: cents, psp };
    try {
      // A repeated key is answered from the ledger without charging the PSP again.
      const seen = isMirror(req) ? undefined : ledger.replay(key, 'deposit', fields);
      if (seen) return answer(seen, headers);
    } catch (e) {
      if (e instanceof HttpError) Object.assign(e.headers, headers);
      throw e;
    }
    await ctx.delay(profile.depositLatency, 'psp-latency');
    const fault = profile.pspFailure;
    if (fault && fault.psp === psp && ctx.rng('psp-faults').chance(fault.rate)) {
      throw new HttpError(502, 'PSP_ERROR', `PSP ${psp} did not confirm the payment`, undefined, {
        ...headers,
        'x-outcome': 'psp-error',
      });
    }
    if (isMirror(req)) return dryRun(fields, headers);
    try {
      return answer(ledger.deposit({ ...fields, key }), headers);
    } catch (e) {
      if (e instanceof HttpError) Object.assign(e.headers, headers);
      throw e;
    }
  });

  router.on('POST', '/wallet/withdraw', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const cents = amount(body, 'amount');
    const key = str(body, 'idempotencyKey');
    await ctx.delay(profile.apiLatency);
    if (isMirror(req)) return dryRun({ playerId, amount: cents });
    return answer(ledger.withdraw({ playerId, amount: cents, key }));
  });

  router.on('POST', '/wallet/chargeback', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const depositKey = str(body, 'depositKey');
    const key = str(body, 'idempotencyKey');
    await ctx.delay(profile.apiLatency);
    if (
      profile.chargebackFailureRate > 0 &&
      ctx.rng('chargeback-faults').chance(profile.chargebackFailureRate)
    ) {
      throw new HttpError(500, 'CHARGEBACK_FAILED', 'chargeback processing failed', undefined, {
        'x-outcome': 'chargeback-error',
      });
    }
    if (isMirror(req)) return dryRun({ playerId, depositKey });
    return answer(ledger.chargeback({ playerId, depositKey, key }));
  });

  router.on('GET', '/wallet/balance', async (req) => {
    const playerId = queryStr(req.query, 'playerId');
    await ctx.delay(profile.apiLatency);
    return { status: 200, body: { playerId, balance: ledger.balance(playerId) } };
  });

  router.on('GET', '/wallet/ledger/check', () => ({ status: 200, body: ledger.check() }));

  // Paged export for the demo's final reconciliation:
  // ?kinds=deposit,withdraw&prefix=<key prefix>&player=<player id prefix>&after=<id>&limit=<n>.
  router.on('GET', '/wallet/ledger/entries', (req) => {
    const kinds = (req.query.get('kinds') ?? '').split(',').filter((k) => k !== '');
    for (const k of kinds) {
      if (!(KINDS as readonly string[]).includes(k)) {
        throw new HttpError(400, 'VALIDATION_FAILED', `kinds: unknown kind ${k}`, 'kinds');
      }
    }
    const after = Number(req.query.get('after') ?? 0);
    const limit = Number(req.query.get('limit') ?? 1000);
    if (!Number.isInteger(after) || after < 0)
      throw new HttpError(400, 'VALIDATION_FAILED', 'after: bad id', 'after');
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new HttpError(400, 'VALIDATION_FAILED', 'limit: must be 1..10000', 'limit');
    }
    const entries = ledger.entries({
      kinds: kinds as EntryKind[],
      afterId: after,
      limit,
      keyPrefix: req.query.get('prefix') ?? '',
      playerPrefix: req.query.get('player') ?? '',
    });
    const last = entries[entries.length - 1];
    return { status: 200, body: { entries, ...(entries.length === limit && last ? { next: last.id } : {}) } };
  });
}
