import type { Role } from '@pitboss/server/api-types';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { Api } from './api/client.js';
import type { LiveFeed } from './live.js';

export type { Role };

const ROLES: readonly Role[] = ['viewer', 'editor', 'approver', 'admin'];

/** The signed-in token, as `GET /api/v1/me` describes it. */
export interface Me {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
}

export interface Session {
  readonly api: Api;
  readonly me: Me;
  readonly live: LiveFeed;
}

/** Whether the signed-in token may do what needs `role`; pages hide or disable what it may not. */
export function can(me: Me, role: Role): boolean {
  return ROLES.indexOf(me.role) >= ROLES.indexOf(role);
}

// The token lives for the tab only (sessionStorage): closing the tab signs out, and no other site can read it.
const TOKEN_KEY = 'pitboss.token';

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token === null) sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, token);
}

/** Checks a token against the server; throws the server's ApiError when it is unknown or revoked. */
export async function signIn(token: string): Promise<{ api: Api; me: Me }> {
  const api = new Api(token.trim());
  const me = await api.get<Me>('/api/v1/me');
  return { api, me };
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in page');
  return session;
}
