import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../storage/database.js';
import { DRIVERS, dropSchema, freshDatabaseUrl, startTestApp, type TestApp } from '../testing/test-app.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const FUTURE = '2099-01-01T00:00:00Z';

describe.each(DRIVERS)('stale flags on %s', (driver) => {
  let t: TestApp;
  // A second connection to the same store, to age rows and insert decisions as SDKs would have posted them.
  let side: Database;
  let dir: string;
  let url: string;
  let idleAt: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitboss-stale-'));
    url = driver === 'sqlite' ? `sqlite:${join(dir, 'stale.db')}` : freshDatabaseUrl('postgres');
    t = await startTestApp(driver, { url });
    side = await openDatabase(url);
    const flags = [
      { kind: 'Flag', key: 'expired', expiresAt: ago(3), rules: [{ if: 'a == 1' }] },
      { kind: 'Flag', key: 'idle', expiresAt: FUTURE, rules: [{ if: 'a == 1' }] },
      { kind: 'Flag', key: 'busy', expiresAt: FUTURE, rules: [{ if: 'a == 1' }] },
      { kind: 'Flag', key: 'rolled', expiresAt: FUTURE, rules: [{ rollout: 1 }] },
      { kind: 'Flag', key: 'half', expiresAt: FUTURE, rules: [{ rollout: 0.5 }] },
      { kind: 'Flag', key: 'young', expiresAt: FUTURE, rules: [{ rollout: 1 }] },
    ];
    const res = await t.call('POST', '/api/v1/apply', { token: t.tokens.admin, body: { documents: flags } });
    expect(res.status).toBe(200);
    await side.db
      .updateTable('flags')
      .set({ created_at: ago(90), updated_at: ago(60) })
      .where('key', '!=', 'young')
      .execute();
    const decision = (id: string, flag: string, at: string) => ({
      id,
      environment: 'prod',
      flag,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      rule_index: 0,
      trace_id: null,
      at,
      received_at: at,
      source: 'tok_test',
    });
    idleAt = ago(45);
    await side.db
      .insertInto('decision_logs')
      .values([
        decision('d1', 'idle', idleAt),
        decision('d2', 'busy', ago(45)),
        decision('d3', 'busy', ago(1)),
        decision('d4', 'rolled', ago(2)),
        decision('d5', 'half', ago(2)),
        decision('d6', 'expired', ago(2)),
      ])
      .execute();
  });
  afterAll(async () => {
    await side.close();
    await t.close();
    if (driver === 'postgres') await dropSchema(url);
    rmSync(dir, { recursive: true, force: true });
  });

  const stale = async (days: number) => {
    const res = await t.call('GET', `/api/v1/flags/stale?days=${days}`, { token: t.tokens.viewer });
    expect(res.status).toBe(200);
    return Object.fromEntries(
      (res.body.flags as { key: string; reasons: { reason: string }[] }[]).map((f) => [f.key, f.reasons]),
    );
  };

  it('names each stale flag with its reasons and dates', async () => {
    const byKey = await stale(30);
    expect(Object.keys(byKey).sort()).toEqual(['expired', 'idle', 'rolled']);
    expect(byKey.expired).toEqual([{ reason: 'expired', expiresAt: expect.any(String), daysOverdue: 3 }]);
    expect(byKey.idle).toEqual([
      { reason: 'unused', createdAt: expect.any(String), lastEvaluatedAt: idleAt },
    ]);
    expect(byKey.rolled).toEqual([
      { reason: 'fully_rolled_out', variant: 'on', unchangedSince: expect.any(String) },
    ]);
  });

  it('widens with the window: at 50 days a decision 45 days old counts as use', async () => {
    const byKey = await stale(50);
    expect(Object.keys(byKey).sort()).toEqual(['expired', 'rolled']);
    // At 100 days every flag is younger than the window: only expiry remains.
    expect(Object.keys(await stale(100))).toEqual(['expired']);
  });

  it('reports a flag never evaluated with lastEvaluatedAt null, and needs a token', async () => {
    await side.db.deleteFrom('decision_logs').where('flag', '=', 'half').execute();
    const byKey = await stale(30);
    expect(byKey.half).toEqual([{ reason: 'unused', createdAt: expect.any(String), lastEvaluatedAt: null }]);
    expect((await t.call('GET', '/api/v1/flags/stale')).status).toBe(401);
    expect((await t.call('GET', '/api/v1/flags/stale?days=0', { token: t.tokens.viewer })).status).toBe(400);
  });
});
