import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';

const DAY_MS = 86_400_000;

describe.each(DRIVERS)('decision logs on %s', (driver) => {
  let t: TestApp;
  const T0 = Date.parse('2030-01-10T12:00:00Z');
  let now = T0;
  const post = (body: unknown, token = t.tokens.sdkProd) =>
    t.call('POST', '/sdk/v1/decisions', { token, body });
  const decision = (i: number, traceId?: string) => ({
    flag: 'payments_v2',
    variant: i % 2 === 0 ? 'on' : 'off',
    reason: 'SPLIT',
    ruleIndex: 0,
    at: '2030-01-10T11:59:00.000+01:00',
    ...(traceId === undefined ? {} : { traceId }),
  });

  beforeAll(async () => {
    t = await startTestApp(driver, {
      delivery: { decisionRateLimit: { burst: 3, perSecond: 1 }, decisionRetentionDays: 7, clock: () => now },
    });
  });
  afterAll(() => t.close());

  it('stores a batch with the posting key as source, and finds a decision by trace id', async () => {
    const batch = [decision(0, '0af7651916cd43dd8448eb211c80319c'), decision(1), decision(2)];
    const res = await post({ environment: 'prod', decisions: batch });
    expect([res.status, res.body]).toEqual([202, { accepted: 3 }]);
    const found = await t.call('GET', '/api/v1/decisions?traceId=0af7651916cd43dd8448eb211c80319c', {
      token: t.tokens.viewer,
    });
    expect(found.status).toBe(200);
    expect(found.body.decisions).toHaveLength(1);
    const sdkKey = (await t.services.tokens.authenticate(t.tokens.sdkProd))!;
    expect(found.body.decisions[0]).toMatchObject({
      environment: 'prod',
      flag: 'payments_v2',
      variant: 'on',
      reason: 'SPLIT',
      ruleIndex: 0,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      at: '2030-01-10T10:59:00.000Z', // normalised to UTC
      receivedAt: new Date(now).toISOString(),
      source: sdkKey.id,
    });
    const byFlag = await t.call('GET', '/api/v1/decisions?flag=payments_v2&limit=2', {
      token: t.tokens.viewer,
    });
    expect(byFlag.body.decisions).toHaveLength(2);
    const sdk = await t.call('GET', '/api/v1/decisions?flag=payments_v2', { token: t.tokens.sdkProd });
    expect(sdk.status).toBe(403);
  });

  it('names the field of every bad decision, and refuses batches over 1000', async () => {
    now += 10_000; // a full bucket again
    const res = await post({
      environment: 'prod',
      decisions: [
        decision(0),
        { ...decision(1), reason: 'MAYBE' },
        { ...decision(2), at: 'yesterday', extra: 1 },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toMatch(/^decisions\[1\]\.reason: must be one of DISABLED, /);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([
      'decisions[1].reason',
      'decisions[2].extra',
      'decisions[2].at',
    ]);
    const tooMany = await post({
      environment: 'prod',
      decisions: Array.from({ length: 1001 }, (_, i) => decision(i)),
    });
    expect([tooMany.status, tooMany.body.message]).toEqual([
      400,
      'decisions: at most 1000 decisions per batch, got 1001',
    ]);
    const elsewhere = await post({ environment: 'dev', decisions: [decision(0)] });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'FORBIDDEN']);
    // The environment may be in the query string instead; there, scope is checked before the body is read.
    const scoped = await t.call('POST', '/sdk/v1/decisions?environment=dev', {
      token: t.tokens.sdkProd,
      body: {},
    });
    expect([scoped.status, scoped.body.code]).toEqual([403, 'FORBIDDEN']);
    const clash = await t.call('POST', '/sdk/v1/decisions?environment=dev', {
      token: t.tokens.viewer,
      body: { environment: 'prod', decisions: [] },
    });
    expect([clash.status, clash.body.message]).toEqual([
      400,
      "environment: the body names 'prod', the query string 'dev'",
    ]);
    const none = await t.call('POST', '/sdk/v1/decisions', {
      token: t.tokens.viewer,
      body: { decisions: [] },
    });
    expect([none.status, none.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const stored = await t.call('GET', '/api/v1/decisions?limit=1000', { token: t.tokens.viewer });
    expect(stored.body.decisions).toHaveLength(3); // nothing of the refused batches
  });

  it('rate-limits each key with a token bucket and says when to retry', async () => {
    now += 10_000;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post({ environment: 'prod', decisions: [] })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await post({ environment: 'prod', decisions: [] });
    expect([limited.status, limited.body.code, limited.headers['retry-after']]).toEqual([
      429,
      'RATE_LIMITED',
      '1',
    ]);
    // Another key has its own bucket; and after a second, this key has a token again.
    expect((await post({ environment: 'dev', decisions: [] }, t.tokens.sdkDev)).status).toBe(202);
    now += 1000;
    expect((await post({ environment: 'prod', decisions: [] })).status).toBe(202);
    expect((await post({ environment: 'prod', decisions: [] })).status).toBe(429);
  });

  it('deletes decisions older than the retention, keeping younger ones', async () => {
    now = T0 + 3 * DAY_MS;
    const young = await post({ environment: 'prod', decisions: [decision(9, 'young')] });
    expect(young.status).toBe(202);
    expect(await t.services.decisions.prune()).toBe(0);
    expect(await t.services.decisions.prune(T0 + 7 * DAY_MS)).toBe(0); // exactly 7 days old: kept
    // A minute later the first batch (received at T0) is past 7 days; the young one is 4 days old.
    expect(await t.services.decisions.prune(T0 + 7 * DAY_MS + 60_000)).toBe(3);
    const left = await t.call('GET', '/api/v1/decisions', { token: t.tokens.viewer });
    expect(left.body.decisions.map((d: { traceId: string }) => d.traceId)).toEqual(['young']);
  });
});

describe.each(DRIVERS)('decision retention sweep on %s', (driver) => {
  it('deletes expired decisions on its own, every interval', async () => {
    let now = Date.parse('2030-01-10T12:00:00Z');
    const t = await startTestApp(driver, {
      delivery: { decisionRetentionDays: 1, decisionRetentionIntervalMs: 20, clock: () => now },
    });
    try {
      const body = {
        environment: 'prod',
        decisions: [{ flag: 'f', reason: 'DEFAULT', at: '2030-01-10T12:00:00Z' }],
      };
      expect((await t.call('POST', '/sdk/v1/decisions', { token: t.tokens.sdkProd, body })).status).toBe(202);
      expect(await t.services.decisions.find({ limit: 10 })).toHaveLength(1);
      now += 2 * DAY_MS;
      const deadline = Date.now() + 10_000;
      while ((await t.services.decisions.find({ limit: 10 })).length > 0) {
        if (Date.now() > deadline) throw new Error('the sweep never deleted the expired decision');
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      await t.close();
    }
  });
});
