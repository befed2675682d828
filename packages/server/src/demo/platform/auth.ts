/**
 * auth: password login, then a second factor. Sessions and tokens are stateless HMAC-signed strings, so the v1
 * and v2 processes accept each other's (a player's login and 2FA may land on different builds mid-rollout).
 * The demo has no user store: a player's password is `demoPassword(playerId)` and the login answer carries the
 * one-time code a real platform would text (`twoFactor.demoCode`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError, type Router, str } from './http-kit.js';
import type { ServiceContext } from './service-context.js';

// A fixed key: every auth process of the demo must verify every other's sessions, and nothing here is secret.
const KEY = 'pitboss-demo-auth-key';
const SESSION_TTL_MS = 15 * 60_000;

export function demoPassword(playerId: string): string {
  return `pw-${playerId}`;
}

function sign(payload: string): string {
  return createHmac('sha256', KEY).update(payload).digest('base64url');
}

function signed(kind: string, playerId: string, expires: number): string {
  const payload = `${kind}.${Buffer.from(playerId).toString('base64url')}.${expires}`;
  return `${payload}.${sign(payload)}`;
}

/** The player of a valid, unexpired `kind` string, or undefined. */
export function verifySigned(kind: string, value: string, now: number): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || parts[0] !== kind) return undefined;
  const payload = parts.slice(0, 3).join('.');
  const mac = Buffer.from(parts[3] as string);
  const expected = Buffer.from(sign(payload));
  if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
  if (Number(parts[2]) < now) return undefined;
  return Buffer.from(parts[1] as string, 'base64url').toString('utf8');
}

/** The six-digit code for a session (what the SMS would carry). */
export function twoFactorCode(session: string): string {
  const n = createHmac('sha256', KEY).update(`2fa:${session}`).digest().readUInt32BE(0);
  return String(n % 1_000_000).padStart(6, '0');
}

export function registerAuth(router: Router, ctx: ServiceContext, now: () => number = Date.now): void {
  router.on('POST', '/auth/login', async (req) => {
    const body = await req.json();
    const playerId = str(body, 'playerId');
    const password = str(body, 'password', 256);
    await ctx.delay(ctx.profile.apiLatency);
    if (password !== demoPassword(playerId)) {
      throw new HttpError(401, 'UNAUTHENTICATED', 'wrong player or password');
    }
    const session = signed('s', playerId, now() + SESSION_TTL_MS);
    return {
      status: 200,
      body: { session, twoFactor: { channel: 'sms', demoCode: twoFactorCode(session) } },
    };
  });

  router.on('POST', '/auth/2fa', async (req) => {
    const body = await req.json();
    const session = str(body, 'session', 1024);
    const code = str(body, 'code', 16);
    await ctx.delay(ctx.profile.apiLatency);
    const playerId = verifySigned('s', session, now());
    if (playerId === undefined)
      throw new HttpError(401, 'UNAUTHENTICATED', 'unknown or expired session', 'session');
    if (code !== twoFactorCode(session)) throw new HttpError(401, 'UNAUTHENTICATED', 'wrong code', 'code');
    return { status: 200, body: { token: signed('t', playerId, now() + SESSION_TTL_MS), playerId } };
  });
}
