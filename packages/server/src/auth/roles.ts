/**
 * Roles, each including the ones before it: a viewer reads; an editor changes flags, segments and presets;
 * an approver also approves other people's change requests; an admin also manages tokens and environments.
 */
export type Role = 'viewer' | 'editor' | 'approver' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'approver', 'admin'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}

/** Who is calling: an API token with a role, an SDK key scoped to one environment, or the server itself. */
export type Principal =
  | { readonly kind: 'api'; readonly id: string; readonly name: string; readonly role: Role }
  | {
      readonly kind: 'sdk';
      readonly id: string;
      readonly name: string;
      readonly environment: string;
      /**
       * A client-side key (`pb_client_…`): it lives in a web page or an app, so anyone can read it. It may ask
       * for values (remote evaluation), follow versions and post decisions, but never read the rules.
       */
      readonly clientSide: boolean;
    }
  | { readonly kind: 'system'; readonly id: 'system'; readonly name: string };

export const SYSTEM: Principal = { kind: 'system', id: 'system', name: 'system' };

/** How a principal appears in the audit log: name and token id (names need not be unique). */
export function actorOf(p: Principal): string {
  return p.kind === 'system' ? `system:${p.name}` : `${p.name} (${p.id})`;
}
