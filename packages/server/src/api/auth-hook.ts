import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole, type Principal, type Role } from '../auth/roles.js';
import type { TokenService } from '../auth/token-store.js';
import { PitbossError } from '../errors.js';

/**
 * What a route requires. Every route must declare one — registering a route without it fails at start, so no
 * route is ever open by accident.
 * - `public`: health, readiness, metrics, the OpenAPI document.
 * - `{ role }`: an API token with at least this role.
 * - `{ role, sdk: true }`: also a server-side SDK key, for its own environment only (checked by `assertEnvironment`).
 * - `{ role, sdk: true, client: true }`: also a client-side key (routes that never reveal rules).
 */
export type AuthRequirement =
  | 'public'
  | { readonly role: Role; readonly sdk?: boolean; readonly client?: boolean };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

/** A registered route and what it requires: the authorization matrix test walks every one of them. */
export interface RouteAuth {
  readonly method: string;
  readonly url: string;
  readonly auth: AuthRequirement;
  /** Kept out of the OpenAPI document (`schema.hide`): not API, such as the console's files. */
  readonly hidden?: true;
}

/** Installs authentication and returns the live list of routes with their requirements. */
export function registerAuth(app: FastifyInstance, tokens: TokenService): RouteAuth[] {
  const routes: RouteAuth[] = [];
  app.decorateRequest('principal', undefined);
  app.addHook('onRoute', (route) => {
    const auth = (route.config as { auth?: AuthRequirement } | undefined)?.auth;
    if (auth === undefined)
      throw new Error(`route ${route.method} ${route.url} declares no auth requirement`);
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url, auth, ...(hidden ? { hidden } : {}) });
  });
  app.addHook('onRequest', async (request) => {
    const auth = request.routeOptions.config.auth;
    if (auth === undefined || auth === 'public') return;
    const principal = await authenticate(request, tokens);
    if (principal.kind === 'sdk') {
      if (!auth.sdk)
        throw new PitbossError(
          'FORBIDDEN',
          'SDK keys may only read their environment and post decision logs',
        );
      if (principal.clientSide && !auth.client) {
        throw new PitbossError(
          'FORBIDDEN',
          'client-side keys may evaluate, follow versions and post decisions, not read rules',
        );
      }
    } else if (principal.kind === 'api' && !hasRole(principal.role, auth.role)) {
      throw new PitbossError(
        'FORBIDDEN',
        `this needs the ${auth.role} role; the token has ${principal.role}`,
      );
    }
    request.principal = principal;
  });
  return routes;
}

async function authenticate(request: FastifyRequest, tokens: TokenService): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match === null)
    throw new PitbossError('UNAUTHENTICATED', 'send a token: authorization: Bearer <token>');
  const principal = await tokens.authenticate(match[1]!);
  if (principal === undefined) throw new PitbossError('UNAUTHENTICATED', 'unknown or revoked token');
  return principal;
}

/** The authenticated principal of a non-public route. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === undefined) throw new PitbossError('UNAUTHENTICATED', 'not authenticated');
  return request.principal;
}

/** SDK keys are scoped to one environment; API tokens read any. */
export function assertEnvironment(request: FastifyRequest, environment: string): void {
  const p = principalOf(request);
  if (p.kind === 'sdk' && p.environment !== environment) {
    throw new PitbossError(
      'FORBIDDEN',
      `this SDK key is for environment '${p.environment}', not '${environment}'`,
    );
  }
}
