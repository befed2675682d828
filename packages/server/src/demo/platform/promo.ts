/**
 * promo: a player claims a promotion once; the claim is idempotent by key (a repeated key gets the first
 * answer) and stored in the shared ledger file, so the v1 and v2 processes agree on who claimed what. The bonus
 * is a fixed amount per promotion; paying it out is not simulated (no money moves).
 */
import { type Router, str } from './http-kit.js';
import { hash32 } from './rng.js';
import { dryRun, fromAnswer, isMirror, requireLedger, type ServiceContext } from './service-context.js';

/** The bonus of a promotion, in cents: 5–25 €, the same in every process. */
export function promoBonus(promoId: string): number {
  return 500 + (hash32(promoId) % 5) * 500;
}

export function registerPromo(router: Router, ctx: ServiceContext): void {
  const ledger = requireLedger(ctx);

  router.on('POST', '/promo/claim', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const promoId = str(body, 'promoId', 64);
    const key = str(body, 'idempotencyKey');
    await ctx.delay(ctx.profile.apiLatency);
    const bonus = promoBonus(promoId);
    if (isMirror(req)) return dryRun({ playerId, promoId, bonus });
    return fromAnswer(ledger.claimPromo({ playerId, promoId, key, bonus }));
  });
}
