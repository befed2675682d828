import { ENVIRONMENT_FIELDS } from '@pitboss/engine';
import { PitbossError } from '../errors.js';

/** What a change request changes once approved; each names a FlagService or PresetService method. */
export type ChangeKind =
  | 'flag.create'
  | 'flag.replace'
  | 'flag.patch_environment'
  | 'flag.archive'
  | 'flag.kill_switch'
  | 'preset.create'
  | 'preset.replace'
  | 'preset.archive'
  | 'preset.apply';

/**
 * `pending` until enough approvals (`applied`, or `failed` when it can no longer apply), a rejection
 * (`rejected`) or its expiry (`expired`). Only pending requests change.
 */
export type ChangeStatus = 'pending' | 'applied' | 'rejected' | 'expired' | 'failed';
export const CHANGE_STATUSES: readonly ChangeStatus[] = [
  'pending',
  'applied',
  'rejected',
  'expired',
  'failed',
];

/** One approver's yes: `actor` as audit entries name them, `id` the token id that makes approvers distinct. */
export interface Approval {
  readonly actor: string;
  readonly id: string;
  readonly at: string;
  readonly comment?: string;
}

export interface ChangeRequest {
  readonly id: string;
  readonly kind: ChangeKind;
  /** The resource as audit entries name it: `flag:payments_v2`, `preset:return_old_payment`. */
  readonly target: string;
  /** The arguments of the change (see `readPayload`). */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly reason: string | null;
  readonly author: string;
  readonly authorId: string;
  readonly status: ChangeStatus;
  readonly approvals: readonly Approval[];
  readonly requiredApprovals: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  /** Bumped by every change to the request; its ETag, for If-Match on PUT. */
  readonly version: number;
  /** What applying produced, or why it failed or was rejected. */
  readonly result: unknown;
}

/** The change a route asked for, before it becomes a request. */
export interface ChangeInput {
  readonly kind: ChangeKind;
  readonly target: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

type Field = 'body' | 'version' | 'env' | 'patch' | 'on';
const SHAPES: Record<ChangeKind, readonly Field[]> = {
  'flag.create': ['body'],
  'flag.replace': ['body', 'version'],
  'flag.patch_environment': ['env', 'patch', 'version'],
  'flag.archive': ['version'],
  'flag.kill_switch': ['env', 'on'],
  'preset.create': ['body'],
  'preset.replace': ['body', 'version'],
  'preset.archive': ['version'],
  'preset.apply': ['version'],
};
const PATCH_FIELDS: ReadonlySet<string> = new Set(ENVIRONMENT_FIELDS);

/**
 * Checks a payload against its kind: exactly the fields the kind takes, each of the right type. An author's
 * PUT arrives here without a route schema to match it, so this is the whole structural check; whether the
 * change applies is checked by a dry run of it.
 */
export function readPayload(kind: ChangeKind, payload: unknown): Readonly<Record<string, unknown>> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw invalid([], 'the payload is an object');
  const p = payload as Record<string, unknown>;
  const fields = SHAPES[kind];
  for (const k of Object.keys(p))
    if (!fields.includes(k as Field)) throw invalid([k], `unknown field '${k}'`);
  for (const f of fields) {
    const v = p[f];
    const ok =
      f === 'version'
        ? Number.isInteger(v) && (v as number) >= 1
        : f === 'env'
          ? typeof v === 'string' && v !== ''
          : f === 'on'
            ? typeof v === 'boolean'
            : typeof v === 'object' && v !== null && !Array.isArray(v);
    if (!ok) throw invalid([f], `${kind} needs '${f}' (${describe(f)})`);
  }
  if (fields.includes('patch')) {
    const keys = Object.keys(p.patch as object);
    const bad = keys.find((k) => !PATCH_FIELDS.has(k));
    if (keys.length === 0 || bad !== undefined)
      throw invalid(['patch', bad ?? ''], `patch takes ${[...PATCH_FIELDS].join(', ')}`);
  }
  return p;
}

function describe(f: Field): string {
  return {
    body: 'an object',
    version: 'a version ≥ 1',
    env: 'an environment',
    patch: 'an object',
    on: 'true or false',
  }[f];
}

function invalid(path: string[], message: string): PitbossError {
  return new PitbossError('VALIDATION_FAILED', `payload: ${message}`, [
    { path: ['payload', ...path], message },
  ]);
}
