import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { stickinessText } from '@pitboss/engine';
import { OVERRIDE_COOKIE, OVERRIDE_HEADER, verifyOverrideToken } from './override-token.js';
import { parseCookies, readPath } from './request-context.js';
import { type Arm, type Decision, decide, needsStickyKey } from './route-decision.js';
import type { ServiceRuntime } from './service-runtime.js';
import type { UpstreamPool } from './upstream-pool.js';

/** Cookie that keeps an anonymous player's bucket: set by the gateway the first time it buckets them. */
export const UID_COOKIE = 'pitboss_uid';
const UID_MAX_AGE_S = 400 * 24 * 3600; // the longest browsers keep a cookie (RFC 6265bis)

export interface Routed {
  readonly decision: Decision;
  readonly pool: UpstreamPool;
  /** A Set-Cookie value when an anonymous player was given a `pitboss_uid` with this request. */
  readonly setCookie?: string;
}

/**
 * Where a request (or a WebSocket upgrade) goes, in the documented order: a signed override, the segment rule,
 * the sticky weight. A canary decision on a service without a canary pool falls back to stable.
 */
export function routeRequest(
  svc: ServiceRuntime,
  req: IncomingMessage,
  overrideSecret: string | undefined,
  now: () => number,
): Routed {
  const route = svc.route;
  let cookies: Map<string, string> | undefined;
  const jar = () => {
    cookies ??= parseCookies(req.headers.cookie);
    return cookies;
  };
  let context: Record<string, unknown> | undefined;
  const ctx = () => {
    context ??= svc.context.build(req.headers, jar());
    return context;
  };
  let setCookie: string | undefined;
  const stickyKey = () => {
    const fromContext = stickinessText(readPath(ctx(), svc.stickiness));
    if (fromContext !== undefined) return fromContext;
    const uid = jar().get(UID_COOKIE);
    if (uid !== undefined && uid !== '') return uid;
    const minted = randomUUID();
    setCookie = `${UID_COOKIE}=${minted}; Path=/; Max-Age=${UID_MAX_AGE_S}; HttpOnly; SameSite=Lax`;
    return minted;
  };
  const override = overrideSecret === undefined ? undefined : overrideArm(svc, req, jar, overrideSecret, now);
  const decision = decide(route, ctx, stickyKey, override);
  const canary = svc.canary;
  const pool = decision.arm === 'canary' && canary ? canary : svc.stable;
  const routed: Routed =
    pool === svc.stable && decision.arm === 'canary'
      ? { decision: { arm: 'stable', reason: decision.reason }, pool }
      : { decision, pool };
  // Only bucketing mints a uid; with no split in progress the player keeps no cookie from us.
  return setCookie !== undefined && needsStickyKey(route) ? { ...routed, setCookie } : routed;
}

/** The arm a valid override token names; undefined for no token, a forged or expired one, or another service's. */
function overrideArm(
  svc: ServiceRuntime,
  req: IncomingMessage,
  jar: () => Map<string, string>,
  secret: string,
  now: () => number,
): Arm | undefined {
  const header = req.headers[OVERRIDE_HEADER];
  const token =
    typeof header === 'string' ? header : req.headers.cookie ? jar().get(OVERRIDE_COOKIE) : undefined;
  if (token === undefined || token === '') return undefined;
  const check = verifyOverrideToken(secret, token, now());
  if (!check.ok || check.claims.service !== svc.name) return undefined;
  if (check.claims.version === svc.stable.version) return 'stable';
  if (svc.canary && check.claims.version === svc.canary.version) return 'canary';
  return undefined;
}
