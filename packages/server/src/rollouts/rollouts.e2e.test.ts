import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RouteSpec, RouteState } from '../routing/router.js';
import { NopRouter } from '../routing/routers/nop.js';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import type { RolloutView } from './rollout-view.js';
import { successTemplate, walletRollout } from './testing/fixtures.js';
import { ScriptedProvider } from './testing/scripted-provider.js';
import { TestClock } from './testing/test-clock.js';

const HEALTHY = { v1: 0.999, v2: 0.998 };

/** The dry-run router, confirming a new routing only after `lag` more checks (a gateway still converging). */
class LaggingRouter extends NopRouter {
  lag = 0;
  override async verify(route: RouteSpec, expected: RouteState): Promise<boolean> {
    if (this.lag > 0) {
      this.lag--;
      return false;
    }
    return super.verify(route, expected);
  }
}

describe.each(DRIVERS)('rollouts (%s)', (driver) => {
  let t: TestApp;
  let clock: TestClock;
  let provider: ScriptedProvider;
  let router: LaggingRouter;

  beforeEach(async () => {
    clock = new TestClock();
    provider = new ScriptedProvider(ScriptedProvider.perVersion(HEALTHY));
    router = new LaggingRouter();
    t = await startTestApp(driver, {
      rollouts: { router, providers: () => provider, clock: clock.now },
    });
  });
  afterEach(() => t.close());

  const status = async (name = 'wallet'): Promise<RolloutView> =>
    (await t.call('GET', `/api/v1/rollouts/${name}`, { token: t.tokens.viewer })).body;
  const tick = async (ms = 0) => {
    clock.advance(ms);
    await t.services.rolloutDriver.tickOnce();
  };
  const start = (body: unknown = { rollout: walletRollout(), templates: [successTemplate()] }) =>
    t.call('POST', '/api/v1/rollouts', { token: t.tokens.editor, body });
  const history = async (name = 'wallet') =>
    (await t.call('GET', `/api/v1/rollouts/${name}/history`, { token: t.tokens.viewer })).body.entries as {
      event: string;
      weight?: number;
      version?: string;
      rolloutStep?: number;
      actor: string;
    }[];

  it('walks a healthy canary to Healthy, every transition audited with version and step', async () => {
    const started = await start();
    expect(started.status).toBe(201);
    expect(started.body.revision).toBe(1);
    // The start reconciles at once: routing to 5 % applied, confirmed, analysis begun and measured once.
    expect(started.body.route.weight).toBe(5);
    let s = await status();
    expect(s.phase).toBe('Analyzing');
    expect(s.gates[0]?.metrics[0]?.status).toBe('Running');
    await tick(30_000);
    s = await status();
    expect(s.stepIndex).toBe(3);
    expect(s.route.weight).toBe(50);
    expect(s.phase).toBe('Progressing');
    await tick(30_000);
    expect((await status()).phase).toBe('Progressing');
    await tick(30_000);
    await tick(0);
    s = await status();
    expect(s.phase).toBe('Healthy');
    expect(s.route.weight).toBe(100);
    expect(router.state('wallet')).toEqual({ weight: 100, mirror: 0 });

    const entries = await history();
    const events = entries.map((e) => e.event);
    expect(events[0]).toBe('start');
    expect(events).toContain('AnalysisSucceeded');
    expect(events.at(-1)).toBe('Completed');
    // Each step's completion appears exactly once.
    const completed = entries.filter((e) => e.event === 'StepCompleted').map((e) => e.rolloutStep);
    expect(new Set(completed).size).toBe(completed.length);
    for (const e of entries.filter((e) => e.event !== 'start' && e.event !== 'command')) {
      expect(e.version).toBe('v2');
      expect(typeof e.rolloutStep).toBe('number');
      expect(e.actor).toBe('system:controller');
    }
    const verified = await t.call('GET', '/api/v1/audit/verify', { token: t.tokens.admin });
    expect(verified.body.ok).toBe(true);
  });

  it('aborts on a failing canary: weight 0, RolledBack, audit entries name the version and step', async () => {
    provider.answer(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.9 }));
    await start();
    await tick(0);
    const s = await status();
    expect(s.phase).toBe('Aborted');
    expect(s.route.weight).toBe(0);
    expect(s.routeConfirmed).toBe(true);
    expect(router.state('wallet')).toEqual({ weight: 0, mirror: 0 });
    const entries = await history();
    const failed = entries.find((e) => e.event === 'AnalysisFailed');
    expect(failed).toMatchObject({ version: 'v2', weight: 0 });
    expect(typeof failed?.rolloutStep).toBe('number');
    expect(entries.map((e) => e.event)).toContain('RolledBack');
  });

  it('follows an aborted rollout until the router confirms all traffic is back on stable', async () => {
    await start();
    router.lag = 3;
    const aborted = await t.call('POST', '/api/v1/rollouts/wallet/abort', {
      token: t.tokens.editor,
      body: {},
    });
    expect(aborted.body.status).toMatchObject({ phase: 'Aborted', routeConfirmed: false });
    // Aborted is settled, but its routing is not confirmed yet: the driver keeps checking it.
    for (let i = 0; i < 5 && !(await status()).routeConfirmed; i++) await tick(1000);
    expect(router.lag).toBe(0);
    expect((await status()).routeConfirmed).toBe(true);
    expect((await history()).filter((e) => e.event === 'RolledBack')).toHaveLength(1);
    await tick(1000);
    expect((await history()).filter((e) => e.event === 'RolledBack')).toHaveLength(1);
  });

  it('pauses on a provider outage and resumes by itself when it answers again', async () => {
    await start({ rollout: walletRollout(), templates: [successTemplate({ count: 10 })] });
    provider.answer(() => ({ ok: false, error: 'connection refused' }));
    for (let i = 0; i < 6; i++) await tick(30_000);
    let s = await status();
    expect(s.phase).toBe('Paused');
    expect(s.reason).toBe('ProviderOutage');
    expect(s.route.weight).toBe(5);
    provider.answer(ScriptedProvider.perVersion(HEALTHY));
    for (let i = 0; i < 4 && s.phase !== 'Progressing'; i++) {
      await tick(30_000);
      s = await status();
    }
    expect(['Analyzing', 'Progressing']).toContain(s.phase);
    const events = (await history()).map((e) => e.event);
    expect(events).toContain('ProviderOutage');
    expect(events).toContain('ProviderRecovered');
    expect(events).not.toContain('AnalysisFailed');
  });

  it('takes commands through the API: pause, resume, promote --full; viewers and SDK keys cannot', async () => {
    await start();
    const as = (token: string, command: string, body: unknown = {}) =>
      t.call('POST', `/api/v1/rollouts/wallet/${command}`, { token, body });
    expect((await as(t.tokens.viewer, 'promote')).status).toBe(403);
    expect((await as(t.tokens.sdkProd, 'promote')).status).toBe(403);
    expect((await t.call('GET', '/api/v1/rollouts/wallet', { token: t.tokens.sdkProd })).status).toBe(403);

    const paused = await as(t.tokens.editor, 'pause', { reason: 'investigating' });
    expect(paused.status).toBe(200);
    expect(paused.body.queued).toBe(false);
    expect(paused.body.status.phase).toBe('Paused');
    const again = await as(t.tokens.editor, 'pause');
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('VALIDATION_FAILED');
    expect(again.body.details[0].path).toEqual(['command']);

    expect((await as(t.tokens.editor, 'resume')).body.status.phase).not.toBe('Paused');
    const full = await as(t.tokens.editor, 'promote', { full: true });
    expect(full.status).toBe(200);
    expect(full.body.status.phase).toBe('Healthy');
    expect(full.body.status.route.weight).toBe(100);

    const entries = await history();
    const promoted = entries.find((e) => e.event === 'FullyPromoted');
    expect(promoted?.actor).toMatch(/^editor \(/);
    const pause = entries.find((e) => e.event === 'Paused');
    expect(pause?.actor).toMatch(/^editor \(/);
  });

  it('aborts and retries through the API', async () => {
    await start();
    const aborted = await t.call('POST', '/api/v1/rollouts/wallet/abort', {
      token: t.tokens.editor,
      body: { reason: 'players report errors' },
    });
    expect(aborted.body.status.phase).toBe('Aborted');
    expect(aborted.body.status.route.weight).toBe(0);
    const retried = await t.call('POST', '/api/v1/rollouts/wallet/retry', {
      token: t.tokens.editor,
      body: {},
    });
    expect(retried.body.status.phase).not.toBe('Aborted');
    expect(retried.body.status.stepIndex).toBeLessThanOrEqual(1);
    const entries = await history();
    expect(entries.find((e) => e.event === 'Aborted')).toBeDefined();
    expect(entries.find((e) => e.event === 'Retried')).toBeDefined();
  });

  it('refuses a second start while one is under way, and starts revision 2 once it is Healthy', async () => {
    await start();
    const twice = await start();
    expect(twice.status).toBe(409);
    await t.call('POST', '/api/v1/rollouts/wallet/promote', { token: t.tokens.editor, body: { full: true } });
    const next = await start({
      rollout: {
        ...walletRollout(),
        spec: { ...(walletRollout().spec as object), canary: { version: 'v3' } },
      },
    });
    expect(next.status).toBe(201);
    expect(next.body.revision).toBe(2);
    const list = (await t.call('GET', '/api/v1/rollouts', { token: t.tokens.viewer })).body.rollouts;
    expect(list.map((r: RolloutView) => [r.name, r.revision])).toEqual([['wallet', 2]]);
  });

  it('names the field of a validation error, and of an unknown template', async () => {
    const bad = await start({ rollout: { ...walletRollout(), spec: { service: 'wallet' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    const paths = bad.body.details.map((d: { path: unknown[] }) => d.path.join('.'));
    expect(paths).toContain('rollout.spec.stable');
    const unknown = await start({ rollout: walletRollout() });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].path.slice(0, 4)).toEqual(['rollout', 'spec', 'strategy', 'canary']);
    const direct = await start(walletRollout([{ setWeight: 500 }]));
    expect(direct.status).toBe(400);
    expect(direct.body.details[0].path).toEqual(['spec', 'strategy', 'canary', 'steps', 0, 'setWeight']);
  });

  it('stores analysis templates by name; viewers read them, editors write them', async () => {
    const put = (token: string) =>
      t.call('PUT', '/api/v1/analysis-templates/success-rate', { token, body: successTemplate() });
    expect((await put(t.tokens.viewer)).status).toBe(403);
    const created = await put(t.tokens.editor);
    expect(created.status).toBe(200);
    expect(created.body.version).toBe(1);
    expect((await put(t.tokens.editor)).body.version).toBe(1); // unchanged: not rewritten
    const wrong = await t.call('PUT', '/api/v1/analysis-templates/other', {
      token: t.tokens.editor,
      body: successTemplate(),
    });
    expect(wrong.status).toBe(400);
    const list = await t.call('GET', '/api/v1/analysis-templates', { token: t.tokens.viewer });
    expect(list.body.templates.map((x: { name: string }) => x.name)).toEqual(['success-rate']);
    // A stored template serves a rollout started without templates.
    expect((await start({ rollout: walletRollout() })).status).toBe(201);
  });

  it('falls back to a shipped template by name; a stored one of that name wins', async () => {
    const steps = [{ setWeight: 5 }, { analysis: { templates: [{ templateName: 'login-success-ratio' }] } }];
    const started = await start({ rollout: walletRollout(steps) });
    expect(started.status).toBe(201);
    expect(started.body.gates[0].templates).toEqual(['login-success-ratio']);
    expect(started.body.gates[0].metrics.map((m: { name: string }) => m.name)).toEqual([
      'login-success-ratio',
    ]);
    expect(provider.queries.at(-1)?.query).toContain('endpoint="login"');
    await t.call('POST', '/api/v1/rollouts/wallet/abort', { token: t.tokens.editor, body: {} });
    const own = successTemplate({}, 'login-success-ratio');
    expect(
      (await start({ rollout: walletRollout(steps), templates: [own] })).body.gates[0].metrics[0].name,
    ).toBe('success');
  });

  it('moves a flag with a setFlag step through the flag service, audited as the controller', async () => {
    const flag = {
      key: 'new_cashier',
      kind: 'release',
      variants: { on: true, off: false },
      defaultVariant: 'off',
    };
    expect((await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: flag })).status).toBe(201);
    await start({
      rollout: walletRollout([
        { setWeight: 10 },
        { setFlag: { flag: 'new_cashier', environment: 'prod', rollout: 0.25 } },
      ]),
    });
    await tick(0);
    await tick(0);
    expect((await status()).phase).toBe('Healthy');
    const stored = (await t.call('GET', '/api/v1/flags/new_cashier', { token: t.tokens.viewer })).body;
    expect(stored.flag.environments.prod.enabled).toBe(true);
    expect(stored.flag.environments.prod.rules).toEqual([{ rollout: 0.25 }]);
    const audit = (await t.call('GET', '/api/v1/audit?resource=flag:new_cashier', { token: t.tokens.viewer }))
      .body.entries;
    expect(audit.at(-1).actor).toBe('system:controller');
  });

  it('puts a flag a setFlag step moved back where it was when the release rolls back', async () => {
    const flag = {
      key: 'new_cashier',
      kind: 'release',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      environments: {
        prod: { enabled: false, rules: [{ if: "market == 'MT'", rollout: 1 }, { rollout: 0.05 }] },
      },
    };
    expect((await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: flag })).status).toBe(201);
    const before = (await t.call('GET', '/api/v1/flags/new_cashier', { token: t.tokens.viewer })).body.flag
      .environments.prod;
    provider.answer(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.9 }));
    await start({
      rollout: walletRollout([
        { setWeight: 10 },
        { setFlag: { flag: 'new_cashier', environment: 'prod', rollout: 0.25 } },
        { setFlag: { flag: 'new_cashier', environment: 'prod', rollout: 0.5 } },
        { analysis: { templates: [{ templateName: 'success-rate' }] } },
      ]),
      templates: [successTemplate()],
    });
    await tick(0);
    await tick(0);
    await tick(0);
    expect((await status()).phase).toBe('Aborted');
    const after = (await t.call('GET', '/api/v1/flags/new_cashier', { token: t.tokens.viewer })).body.flag;
    expect(after.environments.prod).toEqual(before);
    const audit = (await t.call('GET', '/api/v1/audit?resource=flag:new_cashier', { token: t.tokens.viewer }))
      .body.entries as { actor: string; reason: string }[];
    // Both flag steps ran in one tick: their entries carry the step the committed state had reached.
    expect(audit.map((e) => e.reason?.replace(/step \d+$/, 'step N') ?? null)).toEqual([
      null,
      'rollout wallet revision 1 step N',
      'rollout wallet revision 1 step N',
      'rollout wallet revision 1 rolled back',
    ]);
    // Replayed (a crash before the outbox was cleared, another replica): nothing more is written.
    await tick(0);
    const again = await t.call('GET', '/api/v1/audit?resource=flag:new_cashier', { token: t.tokens.viewer });
    expect(again.body.entries).toHaveLength(4);
  });
});
