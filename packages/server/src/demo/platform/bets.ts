/**
 * bets: a stake debits the shared ledger (refused beyond the balance) and opens a bet; a settlement credits
 * the win once. Settling again with the same win replays the answer; with another win it is refused, so a
 * retried settlement message from a game provider can never pay twice.
 */
import { amount, type Router, str } from './http-kit.js';
import { dryRun, fromAnswer, isMirror, requireLedger, type ServiceContext } from './service-context.js';

export function registerBets(router: Router, ctx: ServiceContext): void {
  const ledger = requireLedger(ctx);

  router.on('POST', '/bets/bet', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const stake = amount(body, 'amount');
    const game = str(body, 'game', 64);
    const key = body.idempotencyKey === undefined ? undefined : str(body, 'idempotencyKey');
    await ctx.delay(ctx.profile.apiLatency);
    if (isMirror(req)) return dryRun({ playerId, amount: stake, game });
    return fromAnswer(ledger.placeBet({ playerId, amount: stake, game, key }));
  });

  router.on('POST', '/bets/settle', async (req) => {
    const body = await req.json();
    const betId = str(body, 'betId');
    const win = amount(body, 'win', true);
    await ctx.delay(ctx.profile.apiLatency);
    if (isMirror(req)) return dryRun({ betId, win });
    return fromAnswer(ledger.settleBet({ betId, win }));
  });
}
