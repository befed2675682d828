import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NopRouter } from '../routing/routers/nop.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { successTemplate, walletRollout } from './testing/fixtures.js';
import { ScriptedProvider } from './testing/scripted-provider.js';
import { TestClock } from './testing/test-clock.js';

/** `pitboss apply` with AnalysisTemplate and Rollout documents. */
describe.each(DRIVERS)('apply rollouts and analysis templates (%s)', (driver) => {
  let t: TestApp;
  beforeEach(async () => {
    const provider = new ScriptedProvider(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.999, v3: 0.999 }));
    t = await startTestApp(driver, {
      rollouts: { router: new NopRouter(), providers: () => provider, clock: new TestClock().now },
    });
  });
  afterEach(() => t.close());

  const apply = (documents: unknown[], dryRun = false) =>
    t.call('POST', '/api/v1/apply', {
      token: t.tokens.admin,
      body: { documents, ...(dryRun ? { dryRun: true } : {}) },
    });
  const v3 = () => {
    const doc = walletRollout();
    return {
      ...doc,
      spec: { ...(doc.spec as object), canary: { version: 'v3', upstreams: ['http://127.0.0.1:9003'] } },
    };
  };
  const revision = async () =>
    (await t.call('GET', '/api/v1/rollouts/wallet', { token: t.tokens.viewer })).body.revision;

  it('upserts templates, starts the rollout once, leaves it alone when unchanged', async () => {
    const dry = await apply([successTemplate(), walletRollout()], true);
    expect(dry.status).toBe(200);
    expect(dry.body.plan.create).toEqual(['analysis-template:success-rate', 'rollout:wallet']);
    expect((await t.call('GET', '/api/v1/rollouts', { token: t.tokens.viewer })).body.rollouts).toEqual([]);

    const first = await apply([successTemplate(), walletRollout()]);
    expect(first.status).toBe(200);
    expect(first.body.plan.create).toEqual(['analysis-template:success-rate', 'rollout:wallet']);
    expect(await revision()).toBe(1);

    const again = await apply([successTemplate(), walletRollout()]);
    expect(again.body.plan.create).toEqual([]);
    expect(again.body.plan.unchanged).toEqual(
      expect.arrayContaining(['analysis-template:success-rate', 'rollout:wallet']),
    );
    expect(await revision()).toBe(1);
  });

  it('refuses a changed spec while under way; starts revision 2 once it is finished', async () => {
    await apply([successTemplate(), walletRollout()]);
    const refused = await apply([successTemplate(), v3()]);
    expect(refused.status).toBe(400);
    expect(refused.body.details[0]).toMatchObject({
      document: 1,
      kind: 'Rollout',
      key: 'wallet',
      path: ['spec'],
    });
    await t.call('POST', '/api/v1/rollouts/wallet/abort', { token: t.tokens.editor, body: {} });
    const restarted = await apply([successTemplate(), v3()]);
    expect(restarted.status).toBe(200);
    expect(restarted.body.plan.update[0].resource).toBe('rollout:wallet');
    expect(await revision()).toBe(2);
  });

  it('places problems of rollout documents by document index and path, applying nothing', async () => {
    const bad = { ...walletRollout([{ setWeight: 'half' }]) };
    const res = await apply([{ kind: 'Segment', key: 'employees', if: 'user.isEmployee' }, bad]);
    expect(res.status).toBe(400);
    expect(res.body.details[0]).toMatchObject({
      document: 1,
      kind: 'Rollout',
      path: ['spec', 'strategy', 'canary', 'steps', 0, 'setWeight'],
    });
    const unknownTemplate = await apply([walletRollout()]);
    expect(unknownTemplate.status).toBe(400);
    expect(unknownTemplate.body.details[0].document).toBe(0);
    expect((await t.call('GET', '/api/v1/segments', { token: t.tokens.viewer })).body.segments ?? []).toEqual(
      [],
    );
  });
});
