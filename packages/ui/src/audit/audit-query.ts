import type { AuditEntry } from '../live.js';
import { href } from '../router.js';

/**
 * The Audit page's pure parts: the server's filters as a query string, the same filters applied to live entries,
 * the client-side search, field diffs, and reading the log newest first through a route that only pages forward
 * (`GET /api/v1/audit` answers oldest first after a seq).
 */

export interface AuditFilters {
  readonly resource: string;
  readonly actor: string;
  /** `datetime-local` input values (local time), or ''. */
  readonly since: string;
  readonly until: string;
}

export const NO_FILTERS: AuditFilters = { resource: '', actor: '', since: '', until: '' };

/** A local `datetime-local` value as the ISO instant the server compares with; undefined when blank or invalid. */
export function toIso(local: string): string | undefined {
  if (local.trim() === '') return undefined;
  const t = new Date(local).getTime();
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function auditQuery(filters: AuditFilters, after: number, limit: number): string {
  const q = new URLSearchParams();
  if (filters.resource.trim()) q.set('resource', filters.resource.trim());
  if (filters.actor.trim()) q.set('actor', filters.actor.trim());
  const since = toIso(filters.since);
  const until = toIso(filters.until);
  if (since) q.set('since', since);
  if (until) q.set('until', until);
  q.set('after', String(after));
  q.set('limit', String(limit));
  return `/api/v1/audit?${q}`;
}

/** The server's filters on an entry from the live feed: resource exact, actor a substring (its LIKE), time range. */
export function matchesFilters(entry: AuditEntry, filters: AuditFilters): boolean {
  const resource = filters.resource.trim();
  const actor = filters.actor.trim().toLowerCase();
  const since = toIso(filters.since);
  const until = toIso(filters.until);
  if (resource && entry.resource !== resource) return false;
  if (actor && !entry.actor.toLowerCase().includes(actor)) return false;
  if (since && entry.at < since) return false;
  if (until && entry.at >= until) return false;
  return true;
}

/** The free-text search over what people look for: action, resource, reason, trace id (and the actor). */
export function matchesSearch(entry: AuditEntry, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  return [entry.action, entry.resource, entry.reason, entry.traceId, entry.actor].some(
    (v) => typeof v === 'string' && v.toLowerCase().includes(needle),
  );
}

/** Newest first, each seq once (a live entry may also come back in a page). */
export function mergeNewestFirst(a: readonly AuditEntry[], b: readonly AuditEntry[]): AuditEntry[] {
  const bySeq = new Map<number, AuditEntry>();
  for (const e of [...a, ...b]) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => y.seq - x.seq);
}

/** Where a resource is shown in the console, if anywhere. */
export function resourceHref(resource: string): string | undefined {
  const colon = resource.indexOf(':');
  const kind = resource.slice(0, colon);
  const key = resource.slice(colon + 1);
  if (colon < 0 || key === '') return undefined;
  if (kind === 'flag') return href('flags', key);
  if (kind === 'rollout') return href('releases', key);
  if (kind === 'change_request' || kind === 'change-request') return href('approvals');
  if (kind === 'preset') return href('presets');
  return undefined;
}

export interface FieldChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The leaves that differ between `before` and `after`, down to `depth` levels of objects. */
export function fieldChanges(before: unknown, after: unknown, prefix = '', depth = 4): FieldChange[] {
  const b = asRecord(before);
  const a = asRecord(after);
  if (depth === 0 || a === undefined || b === undefined) {
    return JSON.stringify(before) === JSON.stringify(after)
      ? []
      : [{ path: prefix || '(value)', before, after }];
  }
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys.flatMap((k) => fieldChanges(b[k], a[k], prefix ? `${prefix}.${k}` : k, depth - 1));
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** Reads entries with seq > after, at most `limit`, oldest first (the server's order). */
export type FetchPage = (after: number, limit: number) => Promise<readonly AuditEntry[]>;

const MAX_LIMIT = 1000;

/**
 * The last seq of the log: from a lower bound (the latest checkpoint's size, so a long log is not read from
 * the start) forward, a full page at a time, until a page comes back short.
 */
export async function findHead(fetchPage: FetchPage, from: number): Promise<number> {
  let head = from;
  for (;;) {
    const page = await fetchPage(head, MAX_LIMIT);
    const last = page[page.length - 1];
    if (last !== undefined) head = last.seq;
    if (page.length < MAX_LIMIT) return head;
  }
}

export interface OlderPage {
  /** Newest first. */
  readonly entries: AuditEntry[];
  /** Exclusive upper bound for the next older page. */
  readonly before: number;
  /** True when the start of the log was reached. */
  readonly done: boolean;
}

/**
 * About `want` entries with seq < `before`, newest first. Seqs run 1, 2, 3… without gaps (the chain checks it),
 * so a window of n seqs holds at most n matches and one request of limit n reads all of them. With server-side
 * filters a window may hold few matches: the window doubles until enough are found or the log starts, within
 * a few requests.
 */
export async function loadOlder(
  fetchPage: FetchPage,
  before: number,
  want: number,
  maxRequests = 8,
): Promise<OlderPage> {
  let hi = before;
  let size = Math.min(want, MAX_LIMIT);
  let entries: AuditEntry[] = [];
  for (let i = 0; i < maxRequests && hi > 1 && entries.length < want; i++) {
    const lo = Math.max(0, hi - 1 - size);
    const page = await fetchPage(lo, hi - 1 - lo);
    const top = hi;
    entries = mergeNewestFirst(
      entries,
      page.filter((e) => e.seq < top),
    );
    hi = lo + 1;
    size = Math.min(size * 2, MAX_LIMIT);
  }
  return { entries, before: hi, done: hi <= 1 };
}
