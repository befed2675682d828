import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM } from '../auth/roles.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { approve, auditActions, etagOf } from './approval-testing.js';

describe.each(DRIVERS)('two approvers on %s', (driver) => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    t = await startTestApp(driver, { approvals: { requiredApprovals: 2, protectedTags: ['auth'] } });
    // Seeded through the service: the gate sits between the routes and FlagService.
    await t.services.flags.create({ principal: SYSTEM }, { key: 'login_v2', tags: ['auth'] });
    await t.services.flags.create({ principal: SYSTEM }, { key: 'checkout', tags: ['payments'] });
  });
  afterAll(() => t.close());

  it('protects by the configured tags only', async () => {
    const checkout = await t.call('PATCH', '/api/v1/flags/checkout/environments/prod', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': '"1"' },
    });
    expect(checkout.status).toBe(200);
    const res = await t.call('PATCH', '/api/v1/flags/login_v2/environments/prod', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(202);
    expect(res.body.changeRequest.requiredApprovals).toBe(2);
    id = res.body.changeRequest.id;
  });

  it('counts one approval per approver and keeps the request pending until two', async () => {
    const first = await approve(t, id, t.tokens.approver);
    expect(first.body).toMatchObject({
      status: 'pending',
      approvals: [{ actor: expect.stringContaining('approver') }],
    });
    const again = await approve(t, id, t.tokens.approver);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('ALREADY_EXISTS');
    expect(
      (await t.call('GET', '/api/v1/flags/login_v2', { token: t.tokens.viewer })).body.flag.environments.prod
        .enabled,
    ).toBe(true);
  });

  it('lets only the author edit a pending request, with If-Match, and clears its approvals', async () => {
    const etag = await etagOf(t, `/api/v1/change-requests/${id}`);
    const payload = { env: 'prod', patch: { enabled: false, killSwitch: true }, version: 1 };
    const other = await t.call('PUT', `/api/v1/change-requests/${id}`, {
      token: t.tokens.admin,
      body: { payload },
      headers: { 'if-match': etag },
    });
    expect(other.status).toBe(403);
    const noMatch = await t.call('PUT', `/api/v1/change-requests/${id}`, {
      token: t.tokens.editor,
      body: { payload },
    });
    expect(noMatch.status).toBe(428);
    const invalid = await t.call('PUT', `/api/v1/change-requests/${id}`, {
      token: t.tokens.editor,
      body: { payload: { ...payload, patch: { defaultVariant: 'purple' } } },
      headers: { 'if-match': etag },
    });
    expect(invalid.status).toBe(400);
    const res = await t.call('PUT', `/api/v1/change-requests/${id}`, {
      token: t.tokens.editor,
      body: { payload },
      headers: { 'if-match': etag },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'pending', approvals: [], payload });
    expect(res.headers.etag).not.toBe(etag);
    const stale = await t.call('PUT', `/api/v1/change-requests/${id}`, {
      token: t.tokens.editor,
      body: { payload },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(409);
  });

  it('applies the edited change once two distinct approvers said yes', async () => {
    expect((await approve(t, id, t.tokens.approver)).body.status).toBe('pending');
    const second = await approve(t, id, t.tokens.admin);
    expect(second.body.status).toBe('applied');
    expect(second.body.approvals).toHaveLength(2);
    const flag = await t.call('GET', '/api/v1/flags/login_v2', { token: t.tokens.viewer });
    expect(flag.body.flag.environments.prod).toMatchObject({ enabled: false, killSwitch: true });
    expect(await auditActions(t, `change_request:${id}`)).toEqual([
      'change_request.create',
      'change_request.approve',
      'change_request.update',
      'change_request.approve',
      'change_request.approve',
      'change_request.apply',
    ]);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:login_v2', { token: t.tokens.viewer });
    expect(audit.body.entries.at(-1)).toMatchObject({
      action: 'flag.update_environment',
      actor: expect.stringContaining('admin'),
      reason: expect.stringMatching(/approved by approver \(.*\), admin \(.*\)$/),
    });
  });
});
