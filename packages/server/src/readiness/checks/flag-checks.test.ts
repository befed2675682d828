import { describe, expect, it } from 'vitest';
import { canary, flag, readyData, rolloutInfo } from '../testing/fixtures.js';
import {
  deadFlags,
  decisionLogs,
  flagOwners,
  flagTtl,
  killSwitches,
  paymentFlagsProtected,
} from './flag-checks.js';

describe('killSwitches', () => {
  it('passes when every critical area with releases has an ops flag', () => {
    expect(killSwitches(readyData())).toMatchObject({
      status: 'PASS',
      reason: 'every flag can be killed per environment; ops flags cover payments',
    });
  });

  it('fails an area released without an ops flag, whether by a release flag or a rollout', () => {
    const flags = [
      flag('payments_v2', { tags: ['payments'], protected: true }),
      flag('login_v2', { tags: ['auth'] }),
      flag('auth_breaker', { kind: 'ops', tags: ['auth'] }),
    ];
    const r = killSwitches(readyData({ flags }));
    expect(r.status).toBe('FAIL');
    expect(r.items).toEqual(['payments (payments_v2, rollout wallet-v2)']);
    const games = canary([], { service: 'game-gateway' });
    const byRollout = killSwitches(
      readyData({ flags: [], rollouts: { ok: true, value: [rolloutInfo(games)] } }),
    );
    expect(byRollout.items).toEqual(['game-gateway (rollout game-gateway-v2)']);
  });

  it('asks nothing of areas with only permission or experiment flags', () => {
    const flags = [flag('vip_cashout', { kind: 'permission', tags: ['payments'], protected: true })];
    expect(killSwitches(readyData({ flags, rollouts: { ok: true, value: [] } })).status).toBe('PASS');
  });
});

describe('flagOwners', () => {
  it('names the flags without an owner', () => {
    expect(flagOwners(readyData()).status).toBe('PASS');
    const r = flagOwners(
      readyData({ flags: [flag('a', { owner: '  ' }), flag('b', { owner: undefined }), flag('c')] }),
    );
    expect(r).toMatchObject({ status: 'FAIL', items: ['a', 'b'] });
  });
});

describe('paymentFlagsProtected', () => {
  it('fails a payments flag, by tag or by name, that is neither protected nor carries a protected tag', () => {
    const flags = [
      flag('payments_v2', { tags: ['payments'] }), // the payments tag protects it
      flag('psp_b_routing', { kind: 'ops', tags: ['routing'] }), // named like payments, open
      flag('vip_cashout', { kind: 'permission', tags: ['vip'], protected: true }),
      flag('lobby_layout', { tags: ['lobby'] }),
    ];
    const r = paymentFlagsProtected(readyData({ flags }));
    expect(r).toMatchObject({ status: 'FAIL', items: ['psp_b_routing (its key)'] });
  });

  it('follows the server protectedTags', () => {
    const flags = [flag('payments_v2', { tags: ['payments'] })];
    const policy = { ...readyData().policy, protectedTags: ['money'] };
    expect(paymentFlagsProtected(readyData({ flags, policy })).status).toBe('FAIL');
    expect(paymentFlagsProtected(readyData({ flags })).status).toBe('PASS');
  });
});

describe('flagTtl and deadFlags', () => {
  const stale = (flags: unknown[]) =>
    ({ ok: true, value: { days: 30, asOf: '2030-06-01T00:00:00.000Z', flags } }) as never;

  it('fails flags past their TTL and warns about release flags that never expire', () => {
    const r = flagTtl(
      readyData({
        stale: stale([
          {
            key: 'old',
            kind: 'release',
            reasons: [{ reason: 'expired', expiresAt: '2030-05-01T00:00:00.000Z', daysOverdue: 31 }],
          },
        ]),
      }),
    );
    expect(r).toMatchObject({ status: 'FAIL', items: ['old (31 days overdue)'] });
    const eternal = flagTtl(readyData({ flags: [flag('forever', { expiresAt: null })] }));
    expect(eternal).toMatchObject({ status: 'WARN', items: ['forever'] });
    expect(
      flagTtl(readyData({ flags: [flag('perm', { kind: 'permission', expiresAt: null })] })).status,
    ).toBe('PASS');
  });

  it('warns about unused and fully rolled-out flags, not expired ones', () => {
    const r = deadFlags(
      readyData({
        stale: stale([
          {
            key: 'quiet',
            kind: 'release',
            reasons: [{ reason: 'unused', createdAt: 'x', lastEvaluatedAt: null }],
          },
          {
            key: 'done',
            kind: 'release',
            reasons: [{ reason: 'fully_rolled_out', variant: 'on', unchangedSince: 'x' }],
          },
          { key: 'old', kind: 'release', reasons: [{ reason: 'expired', expiresAt: 'x', daysOverdue: 1 }] },
        ]),
      }),
    );
    expect(r).toMatchObject({ status: 'WARN', items: ['quiet (unused)', 'done (fully rolled out)'] });
    expect(deadFlags(readyData()).status).toBe('PASS');
  });

  it('warns when the stale-flag report cannot be read', () => {
    const data = readyData({ stale: { ok: false, error: 'FORBIDDEN: x' } });
    expect(flagTtl(data).status).toBe('WARN');
    expect(deadFlags(data).status).toBe('WARN');
  });
});

describe('decisionLogs', () => {
  it('fails when no SDK reported a decision for prod, unless there are no flags', () => {
    expect(decisionLogs(readyData()).status).toBe('PASS');
    const none = readyData({ latestDecision: { ok: true, value: null } });
    expect(decisionLogs(none)).toMatchObject({ status: 'FAIL' });
    expect(decisionLogs({ ...none, flags: [] }).status).toBe('PASS');
  });
});
