import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../auth/roles.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { approve, auditActions } from './approval-testing.js';

const kill = (t: TestApp, key: string, on: boolean) =>
  t.call('POST', `/api/v1/flags/${key}/environments/prod/kill`, {
    token: t.tokens.editor,
    body: { on, reason: 'PSP down' },
  });

describe.each(DRIVERS)('kill switches of protected flags on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
    const system = { principal: SYSTEM };
    await t.services.flags.create(system, { key: 'payments_v2', tags: ['payments'] });
    await t.services.flags.create(system, { key: 'psp_b_off', kind: 'ops', protected: true });
    await t.services.flags.create(system, { key: 'promo', kind: 'release' });
  });
  afterAll(() => t.close());

  it('turns a kill switch on at once, audited as an emergency', async () => {
    const res = await kill(t, 'payments_v2', true);
    expect(res.status).toBe(200);
    expect(res.body.flag.environments.prod.killSwitch).toBe(true);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:payments_v2', { token: t.tokens.viewer });
    expect(audit.body.entries.at(-1)).toMatchObject({
      action: 'flag.kill_switch',
      reason: 'PSP down',
      after: { killSwitch: true, emergency: true },
    });
  });

  it('files turning it off as a change request, applied on approval', async () => {
    const res = await kill(t, 'payments_v2', false);
    expect(res.status).toBe(202);
    expect(res.body.changeRequest).toMatchObject({
      kind: 'flag.kill_switch',
      payload: { env: 'prod', on: false },
    });
    const flag = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    expect(flag.body.flag.environments.prod.killSwitch).toBe(true);
    const id = res.body.changeRequest.id;
    expect((await approve(t, id, t.tokens.approver)).body.status).toBe('applied');
    const after = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    expect(after.body.flag.environments.prod.killSwitch).toBe(false);
    expect(await auditActions(t, `change_request:${id}`)).toEqual([
      'change_request.create',
      'change_request.approve',
      'change_request.apply',
    ]);
  });

  it('flips the kill switch of a protected ops flag both ways at once', async () => {
    expect((await kill(t, 'psp_b_off', true)).status).toBe(200);
    const off = await kill(t, 'psp_b_off', false);
    expect(off.status).toBe(200);
    expect(off.body.flag.environments.prod.killSwitch).toBe(false);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:psp_b_off', { token: t.tokens.viewer });
    expect(audit.body.entries.slice(-2).map((e: { after: unknown }) => e.after)).toEqual([
      { environment: 'prod', killSwitch: true, emergency: true },
      { environment: 'prod', killSwitch: false, emergency: true },
    ]);
  });

  it('leaves unprotected flags alone', async () => {
    expect((await kill(t, 'promo', true)).status).toBe(200);
    expect((await kill(t, 'promo', false)).status).toBe(200);
    const pending = await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer });
    expect(pending.body.changeRequests).toEqual([]);
  });
});
