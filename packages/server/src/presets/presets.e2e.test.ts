import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approve, auditActions, auditCount } from '../approvals/approval-testing.js';
import { SYSTEM } from '../auth/roles.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';

const RETURN_OLD_PAYMENT = {
  key: 'return_old_payment',
  description: 'Back to the old payment path: kill payments_v2, turn PSP B off',
  protected: true,
  emergency: true,
  states: {
    payments_v2: { prod: { killSwitch: true }, canary: { killSwitch: true } },
    psp_b: { prod: { enabled: false } },
  },
};

describe.each(DRIVERS)('presets on %s', (driver) => {
  let t: TestApp;
  const flag = async (key: string) =>
    (await t.call('GET', `/api/v1/flags/${key}`, { token: t.tokens.viewer })).body;
  beforeAll(async () => {
    t = await startTestApp(driver);
    const system = { principal: SYSTEM };
    await t.services.flags.create(system, { key: 'payments_v2', tags: ['payments'] });
    await t.services.flags.create(system, { key: 'psp_b' });
    await t.services.flags.create(system, { key: 'promo' });
  });
  afterAll(() => t.close());

  it('creates, reads and replaces an unprotected preset with If-Match', async () => {
    const body = { key: 'promo_off', states: { promo: { prod: { enabled: false } } } };
    const created = await t.call('POST', '/api/v1/presets', { token: t.tokens.editor, body });
    expect(created.status).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    expect(created.body.preset).toMatchObject({ key: 'promo_off', protected: false, emergency: false });
    const next = { ...body, states: { promo: { prod: { enabled: false }, stage: { enabled: false } } } };
    expect(
      (await t.call('PUT', '/api/v1/presets/promo_off', { token: t.tokens.editor, body: next })).status,
    ).toBe(428);
    const replaced = await t.call('PUT', '/api/v1/presets/promo_off', {
      token: t.tokens.editor,
      body: next,
      headers: { 'if-match': '"1"' },
    });
    expect(replaced.headers.etag).toBe('"2"');
    expect((await t.call('GET', '/api/v1/presets', { token: t.tokens.viewer })).body.presets).toHaveLength(1);
    expect((await t.call('POST', '/api/v1/presets', { token: t.tokens.viewer, body })).status).toBe(403);
    expect(await auditActions(t, 'preset:promo_off')).toEqual(['preset.create', 'preset.update']);
  });

  it('refuses presets naming unknown flags, environments or fields', async () => {
    const res = await t.call('POST', '/api/v1/presets', {
      token: t.tokens.editor,
      body: {
        key: 'typo',
        states: { promoo: { prod: { enabled: false } }, promo: { qa: { enabled: false } } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string[] }) => d.path)).toEqual([
      ['states', 'promoo'],
      ['states', 'promo', 'qa'],
    ]);
    const field = await t.call('POST', '/api/v1/presets', {
      token: t.tokens.editor,
      body: { key: 'typo', states: { promo: { prod: { enabled: 'no', colour: 'red' } } } },
    });
    expect(field.body.details.map((d: { path: string[] }) => d.path)).toEqual([
      ['states', 'promo', 'prod', 'enabled'],
      ['states', 'promo', 'prod', 'colour'],
    ]);
  });

  it('diffs without writing anything', async () => {
    const before = await auditCount(t);
    const res = await t.call('POST', '/api/v1/presets/promo_off/diff', { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      preset: 'promo_off',
      version: 2,
      changes: {
        promo: {
          prod: { enabled: { before: true, after: false } },
          stage: { enabled: { before: true, after: false } },
        },
      },
      problems: [],
    });
    expect(await auditCount(t)).toBe(before);
    expect((await flag('promo')).version).toBe(1);
  });

  it('applies an unprotected preset at once, every flag in one audited transaction', async () => {
    const res = await t.call('POST', '/api/v1/presets/promo_off/apply', { token: t.tokens.editor });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ preset: 'promo_off', version: 2, emergency: false });
    expect((await flag('promo')).flag.environments).toMatchObject({
      prod: { enabled: false },
      stage: { enabled: false },
    });
    expect(await auditActions(t, 'flag:promo')).toEqual(['flag.create', 'flag.apply_states']);
    expect(await auditActions(t, 'preset:promo_off')).toEqual([
      'preset.create',
      'preset.update',
      'preset.apply',
    ]);
    const diff = await t.call('POST', '/api/v1/presets/promo_off/diff', { token: t.tokens.viewer });
    expect(diff.body.changes).toEqual({});
  });

  it('applies all or nothing: one invalid state or missing flag and no flag changes', async () => {
    await t.call('POST', '/api/v1/presets', {
      token: t.tokens.editor,
      body: {
        key: 'broken',
        states: { psp_b: { prod: { enabled: false } }, promo: { prod: { defaultVariant: 'purple' } } },
      },
    });
    const before = await auditCount(t);
    const invalid = await t.call('POST', '/api/v1/presets/broken/apply', {
      token: t.tokens.editor,
      body: {},
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.code).toBe('VALIDATION_FAILED');
    expect((await flag('psp_b')).flag.environments.prod.enabled).toBe(true);
    expect(await auditCount(t)).toBe(before);
    // Straight through the service: the second flag does not exist, so the first is not touched either.
    await expect(
      t.services.flags.applyStates(
        { principal: SYSTEM },
        { psp_b: { prod: { enabled: false } }, gone: { prod: { enabled: false } } },
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await flag('psp_b')).version).toBe(1);
    expect(await auditCount(t)).toBe(before);
  });

  it('files writes to a protected preset, and applies of a non-emergency one, as change requests', async () => {
    const body = { ...RETURN_OLD_PAYMENT, key: 'slow_payments', emergency: false, protected: false };
    const created = await t.call('POST', '/api/v1/presets', { token: t.tokens.editor, body });
    expect(created.status).toBe(202);
    expect(created.body.changeRequest).toMatchObject({
      kind: 'preset.create',
      target: 'preset:slow_payments',
    });
    expect((await t.call('GET', '/api/v1/presets/slow_payments', { token: t.tokens.viewer })).status).toBe(
      404,
    );
    expect((await approve(t, created.body.changeRequest.id, t.tokens.approver)).body.status).toBe('applied');
    const applied = await t.call('POST', '/api/v1/presets/slow_payments/apply', {
      token: t.tokens.editor,
      body: {},
    });
    expect(applied.status).toBe(202);
    expect(applied.body.changeRequest).toMatchObject({ kind: 'preset.apply', payload: { version: 1 } });
    expect((await flag('payments_v2')).flag.environments.prod.killSwitch).toBe(false);
    const done = await approve(t, applied.body.changeRequest.id, t.tokens.approver);
    expect(done.body.status).toBe('applied');
    expect((await flag('payments_v2')).flag.environments.prod.killSwitch).toBe(true);
    expect((await flag('psp_b')).flag.environments.prod.enabled).toBe(false);
    const audit = await t.call('GET', '/api/v1/audit?resource=preset:slow_payments', {
      token: t.tokens.viewer,
    });
    expect(audit.body.entries.at(-1)).toMatchObject({
      action: 'preset.apply',
      actor: expect.stringContaining('approver'),
      reason: expect.stringContaining('approved by approver'),
      after: { emergency: false },
    });
    // Put the flags back for the next test, through the service.
    await t.services.flags.applyStates(
      { principal: SYSTEM },
      {
        payments_v2: { prod: { killSwitch: false }, canary: { killSwitch: false } },
        psp_b: { prod: { enabled: true } },
      },
    );
  });

  it('applies an emergency preset at once, even for protected flags and past GitOps locks', async () => {
    const created = await t.call('POST', '/api/v1/presets', {
      token: t.tokens.editor,
      body: RETURN_OLD_PAYMENT,
    });
    expect(created.status).toBe(202);
    await approve(t, created.body.changeRequest.id, t.tokens.admin);
    await t.services.flags.applyStates({ principal: SYSTEM }, { promo: { prod: { enabled: true } } });
    await t.call('PATCH', '/api/v1/environments/prod', {
      token: t.tokens.admin,
      body: { gitopsLocked: true },
    });
    // An ordinary preset respects the lock…
    const locked = await t.call('POST', '/api/v1/presets/promo_off/apply', {
      token: t.tokens.editor,
      body: {},
    });
    expect(locked.status).toBe(409);
    expect(locked.body.code).toBe('GITOPS_LOCKED');
    // …the emergency one does not wait for anyone.
    const res = await t.call('POST', '/api/v1/presets/return_old_payment/apply', {
      token: t.tokens.editor,
      body: { reason: 'PSP B timeouts' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ emergency: true });
    const payments = (await flag('payments_v2')).flag.environments;
    expect([payments.prod.killSwitch, payments.canary.killSwitch, payments.stage.killSwitch]).toEqual([
      true,
      true,
      false,
    ]);
    expect((await flag('psp_b')).flag.environments.prod.enabled).toBe(false);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:payments_v2', { token: t.tokens.viewer });
    expect(audit.body.entries.at(-1)).toMatchObject({
      action: 'flag.apply_states',
      actor: expect.stringContaining('editor'),
      reason: 'PSP B timeouts',
      before: { prod: { killSwitch: false }, canary: { killSwitch: false } },
      after: { prod: { killSwitch: true }, canary: { killSwitch: true }, emergency: true },
    });
    expect(await auditActions(t, 'preset:return_old_payment')).toEqual(['preset.create', 'preset.apply']);
    const pending = await t.call('GET', '/api/v1/change-requests?status=pending', { token: t.tokens.viewer });
    expect(pending.body.changeRequests).toEqual([]);
  });

  it('archives a preset with If-Match', async () => {
    const res = await t.call('DELETE', '/api/v1/presets/promo_off', {
      token: t.tokens.editor,
      headers: { 'if-match': '"2"' },
    });
    expect(res.status).toBe(200);
    expect((await t.call('GET', '/api/v1/presets/promo_off', { token: t.tokens.viewer })).status).toBe(404);
    expect(
      (await t.call('POST', '/api/v1/presets/promo_off/apply', { token: t.tokens.editor, body: {} })).status,
    ).toBe(404);
  });
});
