import { describe, expect, it } from 'vitest';
import {
  type ChangeRequest,
  diffObjects,
  diffRows,
  isMine,
  showValue,
  splitRequests,
} from './change-request.js';

const base: ChangeRequest = {
  id: 'cr_1',
  kind: 'flag.patch_environment',
  target: 'flag:payments_v2',
  payload: { env: 'prod', patch: { enabled: true, defaultVariant: 'on' }, version: 3 },
  reason: 'go',
  author: 'alice (tok_a)',
  authorId: 'tok_a',
  status: 'pending',
  approvals: [],
  requiredApprovals: 1,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-04T00:00:00.000Z',
  version: 1,
  result: null,
};
const flag = {
  flag: { key: 'payments_v2', environments: { prod: { enabled: false, defaultVariant: 'on' } } },
};

describe('diffRows', () => {
  it('patch: the current environment value as before', () => {
    expect(diffRows(base, { kind: 'flag', value: flag })).toEqual([
      { path: 'prod.enabled', before: false, after: true },
      { path: 'prod.defaultVariant', before: 'on', after: 'on' },
    ]);
  });
  it('patch without the current flag: after only', () => {
    expect(diffRows(base)).toEqual([
      { path: 'prod.enabled', after: true },
      { path: 'prod.defaultVariant', after: 'on' },
    ]);
  });
  it('kill switch', () => {
    const r = { ...base, kind: 'flag.kill_switch' as const, payload: { env: 'prod', on: false } };
    expect(diffRows(r, { kind: 'flag', value: flag })).toEqual([
      { path: 'prod.killSwitch', before: null, after: false },
    ]);
  });
  it('replace: only the fields that differ, nested', () => {
    const body = { key: 'payments_v2', environments: { prod: { enabled: true, defaultVariant: 'on' } } };
    const r = { ...base, kind: 'flag.replace' as const, payload: { body, version: 3 } };
    expect(diffRows(r, { kind: 'flag', value: flag })).toEqual([
      { path: 'environments.prod.enabled', before: false, after: true },
    ]);
  });
  it('preset apply: the dry run rows', () => {
    const r = { ...base, kind: 'preset.apply' as const, target: 'preset:p', payload: { version: 2 } };
    const changes = { f: { prod: { killSwitch: { before: false, after: true } } } };
    expect(diffRows(r, { kind: 'preset-diff', changes })).toEqual([
      { path: 'f.prod.killSwitch', before: false, after: true },
    ]);
    expect(diffRows(r)).toBeUndefined();
  });
  it('create: read the payload whole', () => {
    expect(diffRows({ ...base, kind: 'flag.create', payload: { body: {} } })).toBeUndefined();
  });
});

describe('diffObjects', () => {
  it('compares only the keys sent', () => {
    expect(diffObjects({ a: 1, b: 2 }, { a: 1 }, '', 2)).toEqual([]);
    expect(diffObjects(undefined, { a: 1 }, 'x', 2)).toEqual([{ path: 'x.a', after: 1 }]);
  });
});

describe('splitRequests and isMine', () => {
  it('puts the oldest pending first and the newest decided first', () => {
    const a = { ...base, id: 'a', createdAt: '2025-01-02T00:00:00Z' };
    const b = { ...base, id: 'b', createdAt: '2025-01-01T00:00:00Z' };
    const c = { ...base, id: 'c', status: 'applied' as const, updatedAt: '2025-01-01T00:00:00Z' };
    const d = { ...base, id: 'd', status: 'rejected' as const, updatedAt: '2025-01-03T00:00:00Z' };
    const { pending, decided } = splitRequests([a, b, c, d]);
    expect(pending.map((r) => r.id)).toEqual(['b', 'a']);
    expect(decided.map((r) => r.id)).toEqual(['d', 'c']);
  });
  it('compares token ids', () => {
    expect(isMine(base, { id: 'tok_a' })).toBe(true);
    expect(isMine(base, { id: 'tok_b' })).toBe(false);
  });
  it('shows values on one line', () => {
    expect(showValue('x')).toBe('x');
    expect(showValue(undefined)).toBe('—');
    expect(showValue({ a: 1 })).toBe('{"a":1}');
  });
});
