import { describe, expect, it } from 'vitest';
import { diffValues, formatValue, summariseEntry } from './audit-diff.js';

describe('diffValues', () => {
  it('lists changed leaves by path', () => {
    const before = { environments: { prod: { killSwitch: false, rules: [{ if: 'a', rollout: 0.25 }] } } };
    const after = { environments: { prod: { killSwitch: true, rules: [{ if: 'a', rollout: 0.5 }] } } };
    expect(diffValues(before, after)).toEqual([
      { path: 'environments.prod.killSwitch', before: 'false', after: 'true' },
      { path: 'environments.prod.rules[0].rollout', before: '0.25', after: '0.5' },
    ]);
  });

  it('shows added and removed keys, and lists that changed length whole', () => {
    expect(diffValues({ environment: 'prod' }, { environment: 'prod', emergency: true })).toEqual([
      { path: 'emergency', before: '—', after: 'true' },
    ]);
    expect(diffValues({ rules: [1] }, { rules: [1, 2] })).toEqual([
      { path: 'rules', before: '[1]', after: '[1,2]' },
    ]);
    expect(diffValues(1, 2)).toEqual([{ path: '(value)', before: '1', after: '2' }]);
  });
});

describe('formatValue', () => {
  it('quotes strings and cuts long values', () => {
    expect(formatValue('on')).toBe('"on"');
    expect(formatValue('x'.repeat(200))).toHaveLength(80);
  });
});

describe('summariseEntry', () => {
  it('says created or archived, and counts what it leaves out', () => {
    expect(summariseEntry(null, { key: 'a' }).verdict).toBe('created');
    expect(summariseEntry({ key: 'a' }, null).verdict).toBe('archived');
    const many = summariseEntry({ a: 1, b: 1, c: 1 }, { a: 2, b: 2, c: 2 }, 2);
    expect(many.changes.map((c) => c.path)).toEqual(['a', 'b']);
    expect(many.more).toBe(1);
  });
});
