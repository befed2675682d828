import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';

const SNAPSHOT = '/sdk/v1/snapshot?environment=prod';

describe.each(DRIVERS)('snapshot and remote evaluation on %s', (driver) => {
  let t: TestApp;
  const get = (headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'GET',
      url: SNAPSHOT,
      headers: { authorization: `Bearer ${t.tokens.sdkProd}`, ...headers },
    });
  const evaluate = (body: unknown, token = t.tokens.sdkProd) =>
    t.call('POST', '/sdk/v1/evaluate', { token, body });

  beforeAll(async () => {
    t = await startTestApp(driver, { delivery: { evaluateBodyLimit: 4096 } });
    const created = await t.call('POST', '/api/v1/flags', {
      token: t.tokens.editor,
      body: {
        feature: 'payments_v2',
        rules: [
          { if: "market in ['DE','SE']", rollout: 0.25 },
          { if: "brand == 'X' && user.isEmployee", rollout: 1.0 },
        ],
        kill_switch: false,
      },
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => t.close());

  it('tags the snapshot with its version and answers a matching If-None-Match with 304 and no body', async () => {
    const first = await get();
    expect(first.statusCode).toBe(200);
    const version = first.json().version as number;
    expect(first.headers.etag).toBe(`"${version}"`);
    expect(first.headers['cache-control']).toBe('no-cache');
    expect(first.headers['content-type']).toContain('application/json');

    for (const tag of [`"${version}"`, `W/"${version}"`, `"0", "${version}-gzip"`, '*']) {
      const again = await get({ 'if-none-match': tag });
      expect([tag, again.statusCode, again.body]).toEqual([tag, 304, '']);
      expect(again.headers.etag).toBe(`"${version}"`);
    }
    expect((await get({ 'if-none-match': `"${version - 1}"` })).statusCode).toBe(200);

    await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: t.tokens.editor,
      body: { on: true },
    });
    const changed = await get({ 'if-none-match': first.headers.etag as string });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().version).toBeGreaterThan(version);
    expect(changed.json().config.flags[0].environments.prod.killSwitch).toBe(true);
  });

  it('gzips for clients that accept it, compressing once per version', async () => {
    const snapshot = await t.services.snapshots.get('prod');
    const spy = vi.spyOn(snapshot, 'gzip');
    const plain = await get();
    const zipped = await get({ 'accept-encoding': 'br, gzip;q=0.8' });
    const again = await get({ 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.headers.etag).toBe(`"${snapshot.version}-gzip"`);
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    expect(again.rawPayload.equals(zipped.rawPayload)).toBe(true);
    expect(await spy.mock.results[0]!.value).toBe(await spy.mock.results[1]!.value); // the same cached bytes
    spy.mockRestore();
    expect(
      (await get({ 'accept-encoding': 'gzip;q=0, identity' })).headers['content-encoding'],
    ).toBeUndefined();
    const notModified = await get({
      'accept-encoding': 'gzip',
      'if-none-match': `"${snapshot.version}-gzip"`,
    });
    expect([notModified.statusCode, notModified.rawPayload.length]).toEqual([304, 0]);
  });

  it('keeps SDK keys to their own environment', async () => {
    const res = await t.call('GET', SNAPSHOT, { token: t.tokens.sdkDev });
    expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    const missing = await t.call('GET', '/sdk/v1/snapshot?environment=nope', { token: t.tokens.viewer });
    expect([missing.status, missing.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('evaluates on the server without revealing rules, with the version it used', async () => {
    await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: t.tokens.editor,
      body: { on: false },
    });
    const context = { user: { id: 'p-42', isEmployee: true }, brand: 'X', market: 'UK' };
    const res = await evaluate({ environment: 'prod', context });
    expect(res.status).toBe(200);
    const snapshot = await t.services.snapshots.get('prod');
    expect(res.body).toEqual({
      version: snapshot.version,
      values: { payments_v2: { value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleIndex: 1 } },
    });
    expect(res.text).not.toContain('brand ==');
    const named = await evaluate({ environment: 'prod', context: {}, flags: ['payments_v2', 'nope'] });
    expect(named.body.values).toEqual({
      payments_v2: { value: false, variant: 'off', reason: 'DEFAULT' },
      nope: { value: null, variant: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' },
    });
    // Compiled once per version: the same CompiledConfig serves every request until the next change.
    expect(snapshot.compiled()).toBe((await t.services.snapshots.get('prod')).compiled());
  });

  it('validates evaluation requests and keeps SDK keys to their environment', async () => {
    const cases = [
      await evaluate({ environment: 'prod', context: 'p-42' }),
      await evaluate({ environment: 'prod', context: [] }),
      await evaluate({ environment: 'prod' }),
      await evaluate({ environment: 'prod', context: {}, extra: 1 }),
      await evaluate({ environment: 'prod', context: { blob: 'x'.repeat(5000) } }),
      await evaluate({ environment: 'dev', context: {} }),
      await evaluate({ environment: 'nope', context: {} }, t.tokens.viewer),
    ];
    expect(cases.map((c) => [c.status, c.body.code])).toEqual([
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [400, 'VALIDATION_FAILED'],
      [413, 'PAYLOAD_TOO_LARGE'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
    ]);
    expect(cases[0]!.body.message).toContain('context');
    // With ?environment=, access is decided before the body is validated.
    const scoped = await t.call('POST', '/sdk/v1/evaluate?environment=dev', {
      token: t.tokens.sdkProd,
      body: {},
    });
    expect([scoped.status, scoped.body.code]).toEqual([403, 'FORBIDDEN']);
    const viaQuery = await t.call('POST', '/sdk/v1/evaluate?environment=prod', {
      token: t.tokens.sdkProd,
      body: { context: {}, flags: ['payments_v2'] },
    });
    expect(viaQuery.body.values.payments_v2).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
  });
});
