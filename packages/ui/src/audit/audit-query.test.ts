import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../live.js';
import {
  auditQuery,
  type FetchPage,
  fieldChanges,
  findHead,
  loadOlder,
  matchesFilters,
  matchesSearch,
  mergeNewestFirst,
  NO_FILTERS,
  resourceHref,
} from './audit-query.js';

function entry(seq: number, over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    seq,
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString(),
    actor: seq % 2 ? 'alice (tok_a)' : 'bob (tok_b)',
    action: 'flag.update',
    resource: seq % 3 ? 'flag:a' : 'rollout:r',
    before: null,
    after: null,
    reason: null,
    traceId: null,
    prevHash: '0',
    hash: `h${seq}`,
    ...over,
  };
}

/** A fake of GET /api/v1/audit over `n` entries with an optional server-side filter, counting requests. */
function fakeLog(n: number, keep: (e: AuditEntry) => boolean = () => true) {
  const all = Array.from({ length: n }, (_, i) => entry(i + 1));
  const calls: [number, number][] = [];
  const fetchPage: FetchPage = async (after, limit) => {
    calls.push([after, limit]);
    return all.filter((e) => e.seq > after && keep(e)).slice(0, limit);
  };
  return { fetchPage, calls };
}

describe('reading newest first', () => {
  it('finds the head from a lower bound', async () => {
    const log = fakeLog(2500);
    expect(await findHead(log.fetchPage, 1000)).toBe(2500);
    expect(log.calls).toEqual([
      [1000, 1000],
      [2000, 1000],
    ]);
    expect(await findHead(fakeLog(0).fetchPage, 0)).toBe(0);
  });
  it('pages back without filters in one request per page', async () => {
    const log = fakeLog(250);
    const first = await loadOlder(log.fetchPage, 251, 100);
    expect(first.entries.map((e) => e.seq).slice(0, 2)).toEqual([250, 249]);
    expect(first.entries).toHaveLength(100);
    expect(first.before).toBe(151);
    const last = await loadOlder(log.fetchPage, 51, 100);
    expect(last.entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => 50 - i));
    expect(last.done).toBe(true);
  });
  it('widens the window when a filter leaves few matches', async () => {
    const log = fakeLog(3000, (e) => e.resource === 'rollout:r');
    const page = await loadOlder(log.fetchPage, 3001, 100);
    expect(page.entries.length).toBeGreaterThanOrEqual(100);
    expect(page.entries.every((e) => e.resource === 'rollout:r')).toBe(true);
    expect(page.entries[0]?.seq).toBe(3000);
    expect(log.calls.length).toBeLessThanOrEqual(3);
    const seqs = page.entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
  });
});

describe('filters and search', () => {
  it('builds the query', () => {
    expect(auditQuery({ ...NO_FILTERS, resource: 'flag:a ', actor: 'al' }, 10, 100)).toBe(
      '/api/v1/audit?resource=flag%3Aa&actor=al&after=10&limit=100',
    );
  });
  it('applies the server filters to live entries', () => {
    expect(matchesFilters(entry(1), { ...NO_FILTERS, resource: 'flag:a' })).toBe(true);
    expect(matchesFilters(entry(3), { ...NO_FILTERS, resource: 'flag:a' })).toBe(false);
    expect(matchesFilters(entry(1), { ...NO_FILTERS, actor: 'ALICE' })).toBe(true);
    expect(matchesFilters(entry(1), { ...NO_FILTERS, since: '2999-01-01T00:00' })).toBe(false);
  });
  it('searches action, resource, reason and trace id', () => {
    const e = entry(1, { reason: 'PSP B timeouts', traceId: 'abc123' });
    expect(matchesSearch(e, 'psp b')).toBe(true);
    expect(matchesSearch(e, 'ABC1')).toBe(true);
    expect(matchesSearch(e, 'flag.upd')).toBe(true);
    expect(matchesSearch(e, 'nothing')).toBe(false);
    expect(matchesSearch(e, '  ')).toBe(true);
  });
  it('merges newest first without duplicates', () => {
    expect(mergeNewestFirst([entry(2), entry(1)], [entry(3), entry(2)]).map((e) => e.seq)).toEqual([3, 2, 1]);
  });
  it('links flags and releases', () => {
    expect(resourceHref('flag:payments_v2')).toBe('#/flags/payments_v2');
    expect(resourceHref('rollout:api')).toBe('#/releases/api');
    expect(resourceHref('token:x')).toBeUndefined();
  });
});

describe('fieldChanges', () => {
  it('lists changed leaves', () => {
    expect(
      fieldChanges({ a: 1, e: { prod: { on: false } } }, { a: 1, e: { prod: { on: true } }, b: 2 }),
    ).toEqual([
      { path: 'e.prod.on', before: false, after: true },
      { path: 'b', before: undefined, after: 2 },
    ]);
    expect(fieldChanges(null, { a: 1 })).toEqual([{ path: '(value)', before: null, after: { a: 1 } }]);
  });
});
