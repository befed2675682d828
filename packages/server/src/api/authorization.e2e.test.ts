import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRole, ROLES, type Role } from '../auth/roles.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import type { RouteAuth } from './auth-hook.js';

/**
 * The authorization matrix: every registered route × no token, each role, an SDK key of the right and of the
 * wrong environment. Authentication runs before validation, so a request that passes it gets anything but 401
 * and 403 (usually 400 or 404 for these dummy inputs); one that fails it gets exactly 401 or 403.
 */
type Caller = 'anonymous' | Role | 'sdkProd' | 'sdkDev' | 'clientProd';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES, 'sdkProd', 'sdkDev', 'clientProd'];

function expected(route: RouteAuth, caller: Caller): 'allowed' | 401 | 403 {
  if (route.auth === 'public') return 'allowed';
  if (caller === 'anonymous') return 401;
  if (caller === 'sdkProd') return route.auth.sdk ? 'allowed' : 403;
  if (caller === 'clientProd') return route.auth.sdk && route.auth.client ? 'allowed' : 403;
  if (caller === 'sdkDev') return 403; // every SDK request below asks for prod
  return hasRole(caller, route.auth.role) ? 'allowed' : 403;
}

/** Fills path parameters with values that exist nowhere, and asks SDK routes for prod. */
function concrete(url: string): string {
  return `${url.replace(/:(\w+)/g, (_m, name: string) => (name === 'env' ? 'prod' : `no-such-${name}`))}?environment=prod`;
}

describe('authorization matrix (sqlite)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('covers every route', () => {
    expect(t.routes.length).toBeGreaterThan(15);
    expect(
      t.routes
        .filter((r) => r.auth === 'public')
        .map((r) => r.url)
        .sort(),
    ).toEqual(['/', '/assets/*', '/healthz', '/metrics', '/openapi.json', '/readyz']);
  });

  it('describes every route in the OpenAPI document, the console files aside', async () => {
    const doc = (await t.call('GET', '/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const api = t.routes.filter((r) => !r.hidden);
    expect(t.routes.filter((r) => r.hidden).map((r) => r.url)).toEqual(['/', '/assets/*']);
    expect(documented.sort()).toEqual(api.map((r) => `${r.method} ${r.url}`).sort());
  });

  it('answers every route × caller as its requirement says', async () => {
    const failures: string[] = [];
    for (const route of t.routes) {
      for (const caller of CALLERS) {
        const want = expected(route, caller);
        // An allowed stream would stay open: its allowed cases are covered by the delivery tests.
        if (route.url === '/sdk/v1/stream' && want === 'allowed') continue;
        const token = caller === 'anonymous' ? undefined : t.tokens[caller];
        const withBody = ['POST', 'PUT', 'PATCH'].includes(route.method);
        const res = await t.call(route.method, concrete(route.url), {
          ...(token ? { token } : {}),
          ...(withBody ? { body: {} } : {}),
          headers: { 'if-match': '"1"' },
        });
        const ok = want === 'allowed' ? res.status !== 401 && res.status !== 403 : res.status === want;
        if (!ok) failures.push(`${route.method} ${route.url} as ${caller}: got ${res.status}, want ${want}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
