import type { EnvironmentConfig, Flag } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import {
  environmentOrder,
  envSummary,
  expiryBadge,
  filterFlags,
  formatPercent,
  matchesSearch,
  NO_FILTER,
  staleReasonText,
} from './flag-list.js';
import type { FlagView, StaleFlagItem } from './flag-types.js';

const NOW = Date.parse('2026-12-01T00:00:00Z');
const ENV: EnvironmentConfig = {
  enabled: true,
  killSwitch: false,
  rules: [],
  defaultVariant: 'off',
  offVariant: 'off',
  prerequisites: [],
};

function view(key: string, over: Partial<Flag> = {}, envs: Record<string, Partial<EnvironmentConfig>> = {}) {
  const environments = Object.fromEntries(
    Object.entries({ dev: {}, prod: {}, ...envs }).map(([k, v]) => [k, { ...ENV, ...v }]),
  );
  const flag = {
    key,
    kind: 'release',
    tags: [],
    protected: false,
    variants: {},
    environments,
    ...over,
  } as Flag;
  return { flag, version: 1, archived: false, createdAt: '', updatedAt: '' } satisfies FlagView;
}

describe('formatPercent', () => {
  it('keeps fractions down to 0.0001 %', () => {
    expect([0.25, 1, 0.0005, 0.000001, 0.3333333].map(formatPercent)).toEqual([
      '25 %',
      '100 %',
      '0.05 %',
      '0.0001 %',
      '33.3333 %',
    ]);
  });
});

describe('envSummary', () => {
  it('puts the kill switch first, then disabled, then the rules', () => {
    expect(envSummary({ ...ENV, killSwitch: true, enabled: false })).toMatchObject({
      label: 'KILLED',
      tone: 'bad',
    });
    expect(envSummary({ ...ENV, enabled: false })).toMatchObject({ label: 'off', tone: 'neutral' });
    expect(envSummary(ENV)).toMatchObject({ label: 'on', detail: 'serves off' });
    expect(envSummary({ ...ENV, rules: [{ if: 'x', rollout: 0.05 }] }).detail).toBe('5 % of matching');
    expect(envSummary({ ...ENV, rules: [{ rollout: 1 }] }).detail).toBe('100 %');
    expect(envSummary({ ...ENV, rules: [{ if: 'a' }, { if: 'b' }] }).detail).toBe('2 rules');
    expect(envSummary(undefined).label).toBe('—');
  });
});

describe('expiryBadge', () => {
  it('is bad when expired, warns within 7 days, neutral later', () => {
    expect(expiryBadge('2026-11-28T00:00:00Z', NOW)).toMatchObject({ label: 'expired 3 d ago', tone: 'bad' });
    expect(expiryBadge('2026-12-04T00:00:00Z', NOW)).toMatchObject({ label: 'expires in 3 d', tone: 'warn' });
    expect(expiryBadge('2026-12-01T05:00:00Z', NOW)).toMatchObject({ label: 'expires in 5 h', tone: 'warn' });
    expect(expiryBadge('2027-01-10T00:00:00Z', NOW)).toMatchObject({
      label: 'expires in 40 d',
      tone: 'neutral',
    });
    expect(expiryBadge(null, NOW)).toMatchObject({ label: 'no expiry' });
    expect(expiryBadge(undefined, NOW)).toBeUndefined();
  });
});

describe('staleReasonText', () => {
  it('says why, with the date that shows it', () => {
    expect(staleReasonText({ reason: 'expired', expiresAt: 'x', daysOverdue: 4 })).toBe('expired 4 d ago');
    expect(staleReasonText({ reason: 'unused', createdAt: 'x', lastEvaluatedAt: null })).toBe(
      'unused: never evaluated',
    );
    expect(
      staleReasonText({ reason: 'unused', createdAt: 'x', lastEvaluatedAt: '2026-10-01T10:00:00Z' }),
    ).toBe('unused since 2026-10-01');
    expect(
      staleReasonText({ reason: 'fully_rolled_out', variant: 'on', unchangedSince: '2026-09-09T00:00:00Z' }),
    ).toBe('fully rolled out (on) since 2026-09-09');
  });
});

describe('filterFlags', () => {
  const flags = [
    view('payments_v2', { owner: 'team-payments', tags: ['psp'] }, { prod: { killSwitch: true } }),
    view('lobby_layout', { kind: 'experiment', description: 'Grid lobby' }),
    view('vip_cashback', { kind: 'permission' }, { dev: { killSwitch: true } }),
  ];
  const keys = (v: FlagView[]) => v.map((f) => f.flag.key);
  const stale = new Map<string, StaleFlagItem>([
    ['lobby_layout', { key: 'lobby_layout', kind: 'experiment', reasons: [] }],
  ]);

  it('searches key, description, owner and tags, every word', () => {
    expect(matchesSearch(flags[0]!, 'PAYMENTS psp')).toBe(true);
    expect(matchesSearch(flags[1]!, 'grid')).toBe(true);
    expect(matchesSearch(flags[1]!, 'grid psp')).toBe(false);
    expect(keys(filterFlags(flags, { ...NO_FILTER, search: 'team-pay' }, stale))).toEqual(['payments_v2']);
  });

  it('filters by kind, stale, and killed in one environment or any', () => {
    expect(keys(filterFlags(flags, { ...NO_FILTER, kind: 'experiment' }, stale))).toEqual(['lobby_layout']);
    expect(keys(filterFlags(flags, { ...NO_FILTER, staleOnly: true }, stale))).toEqual(['lobby_layout']);
    expect(keys(filterFlags(flags, { ...NO_FILTER, killedOnly: true }, stale))).toEqual([
      'payments_v2',
      'vip_cashback',
    ]);
    expect(keys(filterFlags(flags, { ...NO_FILTER, killedOnly: true, environment: 'prod' }, stale))).toEqual([
      'payments_v2',
    ]);
  });

  it('orders environments by promotion, unknown ones last', () => {
    expect(environmentOrder(['prod', 'dev'], [view('a', {}, { qa: {} })])).toEqual(['prod', 'dev', 'qa']);
  });
});
