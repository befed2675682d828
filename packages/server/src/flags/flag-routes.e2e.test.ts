import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';

const ARTICLE = {
  feature: 'payments_v2',
  rules: [
    { if: "market in ['DE','SE']", rollout: 0.25 },
    { if: "brand == 'X' && user.isEmployee", rollout: 1.0 },
  ],
  kill_switch: false,
};

describe.each(DRIVERS)('flags API on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(() => t.close());

  it('creates the article flag verbatim, defaulting its TTL from the creation time', async () => {
    const res = await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: ARTICLE });
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.body.flag).toMatchObject({ key: 'payments_v2', kind: 'release' });
    expect(Date.parse(res.body.flag.expiresAt) - Date.parse(res.body.flag.createdAt)).toBe(40 * 86_400_000);
    expect((await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: ARTICLE })).body.code).toBe(
      'ALREADY_EXISTS',
    );
  });

  it('refuses invalid flags with the engine diagnostics, naming the field', async () => {
    const res = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: { key: 'bad', expiresAt: '2030-01-01', rules: [{ if: "market = 'DE'" }] },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ code: 'EXPR_SYNTAX', path: ['rules', 0, 'if'], column: 8 }],
    });
    expect(res.body.id).toMatch(/^req_/);
    const rollout = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: { key: 'bad', rules: [{ rollout: 1.5 }] },
    });
    expect(rollout.body.details[0]).toMatchObject({
      code: 'FLAG_INVALID_ROLLOUT',
      path: ['rules', 0, 'rollout'],
    });
    expect((await t.call('GET', '/api/v1/flags/bad', { token: t.tokens.viewer })).status).toBe(404);
  });

  it('needs If-Match to change a flag and answers 409 to a lost update', async () => {
    const read = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    const version = read.headers.etag as string;
    const patch = { enabled: false };
    const noMatch = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/dev', {
      token: t.tokens.editor,
      body: patch,
    });
    expect(noMatch.status).toBe(428);
    // Two editors read the same version; the first write wins, the second gets 409 and nothing is lost.
    const first = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/dev', {
      token: t.tokens.editor,
      body: patch,
      headers: { 'if-match': version },
    });
    expect(first.status).toBe(200);
    const second = await t.call('PATCH', '/api/v1/flags/payments_v2/environments/stage', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': version },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'VERSION_CONFLICT', details: { expected: 2 - 1, actual: 2 } });
    const after = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    expect(after.body.flag.environments.dev.enabled).toBe(false);
    expect(after.body.flag.environments.stage.enabled).toBe(true);
  });

  it('changes a flag with prerequisites, checking them against the stored flags', async () => {
    const created = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: {
        key: 'codec_v2',
        prerequisites: [{ flag: 'payments_v2', variant: 'on' }],
        rules: [{ rollout: 1 }],
      },
    });
    expect(created.status).toBe(201);
    // A PATCH of one environment loads the flag alone first: its prerequisite must not look missing then.
    const patched = await t.call('PATCH', '/api/v1/flags/codec_v2/environments/dev', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': created.headers.etag as string },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.flag.environments.dev.enabled).toBe(false);
    const unknown = await t.call('PATCH', '/api/v1/flags/codec_v2/environments/dev', {
      token: t.tokens.editor,
      body: { prerequisites: [{ flag: 'payments_v3', variant: 'on' }] },
      headers: { 'if-match': patched.headers.etag as string },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0]).toMatchObject({
      code: 'FLAG_UNKNOWN_PREREQUISITE',
      path: ['prerequisites', 0],
    });
    const archived = await t.call('DELETE', '/api/v1/flags/codec_v2', {
      token: t.tokens.editor,
      headers: { 'if-match': patched.headers.etag as string },
    });
    expect(archived.status).toBe(200);
  });

  it('flips the kill switch without If-Match and records it as an emergency', async () => {
    const res = await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: t.tokens.editor,
      body: { on: true, reason: 'PSP B failing' },
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(res.status).toBe(200);
    expect(res.body.flag.environments.prod.killSwitch).toBe(true);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:payments_v2', { token: t.tokens.viewer });
    const last = audit.body.entries.at(-1);
    expect(last).toMatchObject({
      action: 'flag.kill_switch',
      actor: expect.stringContaining('editor'),
      reason: 'PSP B failing',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      after: { environment: 'prod', killSwitch: true, emergency: true },
    });
  });

  it('delivers the change in the prod snapshot, to an SDK key of prod only', async () => {
    const snap = await t.call('GET', '/sdk/v1/snapshot?environment=prod', { token: t.tokens.sdkProd });
    expect(snap.status).toBe(200);
    expect(snap.body.config.flags[0].environments.prod.killSwitch).toBe(true);
    expect(Object.keys(snap.body.config.flags[0].environments)).toEqual(['prod']);
    const wrongEnv = await t.call('GET', '/sdk/v1/snapshot?environment=prod', { token: t.tokens.sdkDev });
    expect(wrongEnv.status).toBe(403);
    const write = await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: t.tokens.sdkProd,
      body: { on: false },
    });
    expect(write.status).toBe(403);
  });

  it('archives with If-Match and keeps the flag out of snapshots', async () => {
    const read = await t.call('GET', '/api/v1/flags/payments_v2', { token: t.tokens.viewer });
    const res = await t.call('DELETE', '/api/v1/flags/payments_v2', {
      token: t.tokens.editor,
      headers: { 'if-match': read.headers.etag as string },
    });
    expect(res.status).toBe(200);
    const snap = await t.call('GET', '/sdk/v1/snapshot?environment=prod', { token: t.tokens.sdkProd });
    expect(snap.body.config.flags).toEqual([]);
    const archived = (await t.call('GET', '/api/v1/flags?archived=true', { token: t.tokens.viewer })).body
      .flags as { flag: { key: string } }[];
    expect(archived.map((f) => f.flag.key).sort()).toEqual(['codec_v2', 'payments_v2']);
  });

  it('answers bad input with a code and the field, never a stack trace', async () => {
    const cases = [
      await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: '{"key": ' }),
      await t.call('POST', '/api/v1/flags/x/environments/prod/kill', {
        token: t.tokens.editor,
        body: { on: 'yes' },
      }),
      await t.call('POST', '/api/v1/flags/x/environments/prod/kill', {
        token: t.tokens.editor,
        body: { on: true, extra: 1 },
      }),
      await t.call('POST', '/api/v1/flags', {
        token: t.tokens.editor,
        body: { key: 'big', description: 'x'.repeat(2 << 20) },
      }),
    ];
    expect(cases.map((c) => [c.status, c.body.code])).toEqual([
      [400, 'BAD_REQUEST'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [413, 'PAYLOAD_TOO_LARGE'],
    ]);
    expect(cases[2]!.body.message).toContain('extra');
    for (const c of cases) expect(c.text).not.toMatch(/\n\s+at /);
  });
});
