import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { approve, auditActions, etagOf } from './approval-testing.js';

const HOUR = 3_600_000;

describe.each(DRIVERS)('change requests on %s', (driver) => {
  let t: TestApp;
  let now = new Date('2030-01-01T00:00:00Z');
  beforeAll(async () => {
    t = await startTestApp(driver, { approvals: { changeRequestClock: () => now } });
  });
  afterAll(() => t.close());

  it('files a protected flag as a change request: nothing written, 202 with the request', async () => {
    const res = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: { key: 'payments_v2', tags: ['payments'], rules: [{ if: "market == 'DE'", rollout: 0.25 }] },
      headers: { 'x-pitboss-reason': 'new PSP' },
    });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      code: 'APPROVAL_REQUIRED',
      changeRequest: {
        kind: 'flag.create',
        target: 'flag:payments_v2',
        status: 'pending',
        approvals: [],
        requiredApprovals: 1,
        reason: 'new PSP',
        author: expect.stringContaining('editor'),
        expiresAt: new Date(now.getTime() + 72 * HOUR).toISOString(),
      },
    });
    expect(res.headers.location).toBe(`/api/v1/change-requests/${res.body.changeRequest.id}`);
    expect((await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer })).status).toBe(404);
  });

  it('lets neither viewers nor editors approve, and never the author', async () => {
    const [cr] = (await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer }))
      .body.changeRequests;
    expect((await approve(t, cr.id, t.tokens.viewer)).status).toBe(403);
    expect((await approve(t, cr.id, t.tokens.editor)).status).toBe(403);
    // An approver who files a request cannot approve it either.
    const own = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.approver,
      body: { key: 'psp_b', protected: true },
    });
    expect(own.status).toBe(202);
    const self = await approve(t, own.body.changeRequest.id, t.tokens.approver);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('FORBIDDEN');
    const read = await t.call('GET', `/api/v1/change-requests/${cr.id}`, { token: t.tokens.viewer });
    expect(read.body).toMatchObject({ status: 'pending', approvals: [] });
    // Someone else applies it.
    const applied = await approve(t, own.body.changeRequest.id, t.tokens.admin);
    expect(applied.body).toMatchObject({
      status: 'applied',
      approvals: [{ actor: expect.stringContaining('admin') }],
    });
  });

  it('applies the change when a second person approves, naming the approvers in the audit log', async () => {
    const [cr] = (await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer }))
      .body.changeRequests;
    const res = await approve(t, cr.id, t.tokens.approver);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', result: { version: 1 } });
    const flag = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    expect(flag.body.flag.tags).toEqual(['payments']);
    expect(await auditActions(t, `change_request:${cr.id}`)).toEqual([
      'change_request.create',
      'change_request.approve',
      'change_request.apply',
    ]);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:payments_v2', { token: t.tokens.viewer });
    expect(audit.body.entries).toHaveLength(1);
    expect(audit.body.entries[0]).toMatchObject({
      action: 'flag.create',
      actor: expect.stringContaining('approver'),
      reason: expect.stringMatching(
        new RegExp(`change request ${cr.id} by editor .*new PSP.*approved by approver`),
      ),
    });
    expect((await approve(t, cr.id, t.tokens.admin)).status).toBe(409);
  });

  it('gates every change to a protected flag, removing the protection included', async () => {
    const etag = await etagOf(t, '/api/v1/flags/payments_v2');
    const patch = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/prod', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': etag },
    });
    expect(patch.status).toBe(202);
    expect(patch.body.changeRequest).toMatchObject({
      kind: 'flag.patch_environment',
      payload: { env: 'prod', patch: { enabled: false }, version: 1 },
    });
    const unprotect = await t.call('PUT', '/api/v1/flags/payments_v2', {
      token: t.tokens.editor,
      body: { key: 'payments_v2' },
      headers: { 'if-match': etag },
    });
    expect(unprotect.status).toBe(202);
    const archive = await t.call('DELETE', '/api/v1/flags/payments_v2', {
      token: t.tokens.editor,
      headers: { 'if-match': etag },
    });
    expect(archive.status).toBe(202);
    // Marking a flag protected needs approval too; an unprotected flag changes at once.
    await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: { key: 'promo_banner' } });
    const plain = await t.call('PATCH', '/api/v1/flags/promo_banner/environments/prod', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': '"1"' },
    });
    expect(plain.status).toBe(200);
    const protect = await t.call('PUT', '/api/v1/flags/promo_banner', {
      token: t.tokens.editor,
      body: { key: 'promo_banner', protected: true },
      headers: { 'if-match': '"2"' },
    });
    expect(protect.status).toBe(202);
    expect(await etagOf(t, '/api/v1/flags/payments_v2')).toBe(etag);
    expect(
      (await t.call('GET', '/api/v1/flags/promo_banner', { token: t.tokens.viewer })).body.flag.protected,
    ).toBe(false);
    // Invalid changes are refused at once rather than filed.
    const invalid = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/prod', {
      token: t.tokens.editor,
      body: { defaultVariant: 'purple' },
      headers: { 'if-match': etag },
    });
    expect(invalid.status).toBe(400);
  });

  it('marks a request failed, with the reason, when its change can no longer apply', async () => {
    const pending = (
      await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer })
    ).body.changeRequests;
    const patch = pending.find((c: { kind: string }) => c.kind === 'flag.patch_environment');
    // The flag moves on (a kill switch is immediate), so the version the request was made against is gone.
    await t.call('POST', '/api/v1/flags/payments_v2/environments/canary/kill', {
      token: t.tokens.editor,
      body: { on: true },
    });
    const res = await approve(t, patch.id, t.tokens.approver);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', result: { code: 'VERSION_CONFLICT' } });
    const flag = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    expect(flag.body.flag.environments.prod.enabled).toBe(true);
    expect(await auditActions(t, `change_request:${patch.id}`)).toEqual([
      'change_request.create',
      'change_request.approve',
      'change_request.fail',
    ]);
  });

  it('rejects, and refuses to approve what is no longer pending', async () => {
    const pending = (
      await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer })
    ).body.changeRequests;
    const archive = pending.find((c: { kind: string }) => c.kind === 'flag.archive');
    expect(
      (
        await t.call('POST', `/api/v1/change-requests/${archive.id}/reject`, {
          token: t.tokens.editor,
          body: {},
        })
      ).status,
    ).toBe(403);
    const res = await t.call('POST', `/api/v1/change-requests/${archive.id}/reject`, {
      token: t.tokens.approver,
      body: { reason: 'still in use' },
    });
    expect(res.body).toMatchObject({ status: 'rejected', result: { reason: 'still in use' } });
    const late = await approve(t, archive.id, t.tokens.admin);
    expect(late.status).toBe(409);
    expect(late.body.details).toEqual({ status: 'rejected' });
    expect(await auditActions(t, `change_request:${archive.id}`)).toEqual([
      'change_request.create',
      'change_request.reject',
    ]);
  });

  it('expires pending requests past their expiry, on read and on approve', async () => {
    const pending = (
      await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer })
    ).body.changeRequests;
    expect(pending.length).toBeGreaterThanOrEqual(2);
    now = new Date(now.getTime() + 71 * HOUR);
    expect(
      (await t.call('GET', `/api/v1/change-requests/${pending[0].id}`, { token: t.tokens.viewer })).body
        .status,
    ).toBe('pending');
    // A request filed now expires later than the old ones.
    const fresh = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/dev', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': await etagOf(t, '/api/v1/flags/payments_v2') },
    });
    now = new Date(now.getTime() + 2 * HOUR);
    const approveLate = await approve(t, pending[0].id, t.tokens.approver);
    expect(approveLate.status).toBe(409);
    expect(approveLate.body.details).toEqual({ status: 'expired' });
    const read = await t.call('GET', `/api/v1/change-requests/${pending[1].id}`, { token: t.tokens.viewer });
    expect(read.body.status).toBe('expired');
    expect(await auditActions(t, `change_request:${pending[0].id}`)).toEqual([
      'change_request.create',
      'change_request.expire',
    ]);
    const still = await t.call('GET', `/api/v1/change-requests/${fresh.body.changeRequest.id}`, {
      token: t.tokens.viewer,
    });
    expect(still.body.status).toBe('pending');
    const list = await t.call('GET', '/api/v1/change-requests?status=expired', { token: t.tokens.viewer });
    expect(list.body.changeRequests.map((c: { id: string }) => c.id)).toEqual(
      expect.arrayContaining([pending[0].id, pending[1].id]),
    );
  });
});
