/**
 * A change request as `GET /api/v1/change-requests` returns it (server: approvals/change-request.ts), and the
 * pure shaping the Approvals page needs: queue order, whose request it is, and the change as before → after rows.
 */

import type { ChangeRequest } from '@pitboss/server/api-types';

export type { Approval, ChangeRequest, ChangeStatus } from '@pitboss/server/api-types';

/** One changed field: `before` is absent when nothing on hand says what it was. */
export interface DiffRow {
  readonly path: string;
  readonly before?: unknown;
  readonly after: unknown;
}

/** What the target looks like now, read to show what a pending request would change. */
export type CurrentState =
  | { readonly kind: 'flag'; readonly value: unknown }
  | { readonly kind: 'preset'; readonly value: unknown }
  | {
      readonly kind: 'preset-diff';
      readonly changes: Record<string, Record<string, Record<string, FieldChange>>>;
    };

interface FieldChange {
  readonly before: unknown;
  readonly after: unknown;
}

/** The queue first (pending, oldest first: the one waiting longest), then decided ones, newest first. */
export function splitRequests(all: readonly ChangeRequest[], recent = 20) {
  const pending = all
    .filter((r) => r.status === 'pending')
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const decided = all
    .filter((r) => r.status !== 'pending')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, recent);
  return { pending, decided };
}

/** The server tells approvers apart by token id (docs/approvals.md), so that is what makes a request "yours". */
export function isMine(request: ChangeRequest, me: { readonly id: string }): boolean {
  return request.authorId === me.id;
}

/** `flag:payments_v2` → `['flag', 'payments_v2']`. */
export function splitTarget(target: string): { kind: string; key: string } {
  const colon = target.indexOf(':');
  return colon < 0
    ? { kind: '', key: target }
    : { kind: target.slice(0, colon), key: target.slice(colon + 1) };
}

/**
 * The change as field rows, with the current value as `before` where `current` gives it; undefined when the
 * payload is better read whole (a create: everything is new).
 */
export function diffRows(request: ChangeRequest, current?: CurrentState): DiffRow[] | undefined {
  const p = request.payload;
  const existing = current?.kind === 'flag' || current?.kind === 'preset' ? inner(current.value) : undefined;
  const envs = asRecord(asRecord(existing)?.environments);
  switch (request.kind) {
    case 'flag.kill_switch': {
      const env = String(p.env);
      return [withBefore(`${env}.killSwitch`, p.on, asRecord(envs?.[env]), 'killSwitch')];
    }
    case 'flag.patch_environment': {
      const env = String(p.env);
      const config = asRecord(envs?.[env]);
      return Object.entries(asRecord(p.patch) ?? {}).map(([field, after]) =>
        withBefore(`${env}.${field}`, after, config, field),
      );
    }
    case 'flag.replace':
    case 'preset.replace':
      return diffObjects(existing, asRecord(p.body) ?? {}, '', 3);
    case 'flag.archive':
    case 'preset.archive':
      return [{ path: 'archived', before: false, after: true }];
    case 'preset.apply':
      return current?.kind === 'preset-diff' ? presetDiffRows(current.changes) : undefined;
    default:
      return undefined;
  }
}

/** A flag or preset view (`{flag, version}`, `{preset, version}`) or the bare resource. */
function inner(value: unknown): Record<string, unknown> | undefined {
  const v = asRecord(value);
  return asRecord(v?.flag) ?? asRecord(v?.preset) ?? v;
}

function withBefore(path: string, after: unknown, from: Record<string, unknown> | undefined, field: string) {
  return from === undefined ? { path, after } : { path, before: from[field] ?? null, after };
}

/**
 * Fields of `after` that differ from `before`, descending into objects up to `depth` levels. Only the keys the
 * request sends are compared: a submitted body leaves defaults out, and those are not changes.
 */
export function diffObjects(
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
  prefix: string,
  depth: number,
): DiffRow[] {
  return Object.entries(after).flatMap(([key, value]) => {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (before === undefined) return [{ path, after: value }];
    const old = before[key];
    const a = asRecord(value);
    const b = asRecord(old);
    if (depth > 1 && a !== undefined && b !== undefined) return diffObjects(b, a, path, depth - 1);
    return same(old, value) ? [] : [{ path, before: old ?? null, after: value }];
  });
}

function presetDiffRows(changes: Record<string, Record<string, Record<string, FieldChange>>>): DiffRow[] {
  return Object.entries(changes).flatMap(([flag, envs]) =>
    Object.entries(envs).flatMap(([env, fields]) =>
      Object.entries(fields).map(([field, c]) => ({
        path: `${flag}.${env}.${field}`,
        before: c.before,
        after: c.after,
      })),
    ),
  );
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** A value on one line for a diff cell: JSON, but strings bare. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
