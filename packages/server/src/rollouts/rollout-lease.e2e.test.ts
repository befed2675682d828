import { afterEach, describe, expect, it } from 'vitest';
import type { RouteSpec, RouteState, TrafficRouter } from '../routing/router.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { rolloutStore } from './rollout-store.js';
import { successTemplate, walletRollout } from './testing/fixtures.js';
import { ScriptedProvider } from './testing/scripted-provider.js';
import { TestClock } from './testing/test-clock.js';

/** A router that only counts what it is told: which replica drove the rollout shows in its calls. */
class CountingRouter implements TrafficRouter {
  readonly kind = 'counting';
  calls = 0;
  private live: RouteState = { weight: 0, mirror: 0 };

  constructor(private readonly shared: { route: RouteState }) {}

  async setWeight(_r: RouteSpec, weight: number) {
    this.calls++;
    this.shared.route = { ...this.shared.route, weight };
  }
  async setSegment(_r: RouteSpec, segment: string | undefined) {
    this.calls++;
    const { segment: _s, ...rest } = this.shared.route;
    this.shared.route = segment === undefined ? rest : { ...rest, segment };
  }
  async setMirror(_r: RouteSpec, mirror: number) {
    this.calls++;
    this.shared.route = { ...this.shared.route, mirror };
  }
  async verify(_r: RouteSpec, expected: RouteState) {
    this.live = this.shared.route;
    return this.live.weight === expected.weight && this.live.mirror === expected.mirror;
  }
  async reset() {
    this.calls++;
  }
}

/** Two control planes on one PostgreSQL database: a rollout is driven by one of them at a time, never both. */
describe('rollout lease (postgres, two replicas)', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    for (const app of apps.reverse()) await app.close();
    apps.length = 0;
  });

  async function replicas() {
    const clock = new TestClock();
    const shared = { route: { weight: 0, mirror: 0 } as RouteState };
    const provider = new ScriptedProvider(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.999 }));
    const make = async (owner: string, router: CountingRouter, url?: string) => {
      const app = await startTestApp('postgres', {
        ...(url ? { url } : {}),
        rollouts: { router, providers: () => provider, clock: clock.now, leaseMs: 30_000, owner },
      });
      apps.push(app);
      return app;
    };
    const routerA = new CountingRouter(shared);
    const routerB = new CountingRouter(shared);
    const a = await make('replica-a', routerA);
    const b = await make('replica-b', routerB, a.url);
    return { a, b, routerA, routerB, clock };
  }

  it('never lets two replicas hold a lease at once, however they race', async () => {
    const { a, b, clock } = await replicas();
    await a.call('POST', '/api/v1/rollouts', {
      token: a.tokens.editor,
      body: { rollout: walletRollout([{ pause: {} }]), templates: [successTemplate()] },
    });
    expect(a.services.rolloutDriver.owner).toBe('replica-a');
    // Two pools, two connections: the conditional updates really race.
    for (let i = 0; i < 25; i++) {
      await rolloutStore.releaseLease(a.database.db, 'wallet', 'replica-a');
      await rolloutStore.releaseLease(a.database.db, 'wallet', 'replica-b');
      const won = await Promise.all([
        rolloutStore.acquireLease(a.database.db, 'wallet', 'replica-a', clock.now(), 30_000),
        rolloutStore.acquireLease(b.database.db, 'wallet', 'replica-b', clock.now(), 30_000),
      ]);
      expect(won.filter(Boolean)).toHaveLength(1);
    }
  });

  it('one replica drives; the other takes over only once the lease is released or expired', async () => {
    const { a, b, routerA, routerB, clock } = await replicas();
    await a.call('POST', '/api/v1/rollouts', {
      token: a.tokens.editor,
      body: {
        rollout: walletRollout([
          { setWeight: 10 },
          { pause: { duration: '20s' } },
          { setWeight: 20 },
          { pause: {} },
        ]),
      },
    });
    expect(routerA.calls).toBeGreaterThan(0);
    for (let i = 0; i < 6; i++) {
      clock.advance(5_000);
      await Promise.all([a.services.rolloutDriver.tickOnce(), b.services.rolloutDriver.tickOnce()]);
    }
    expect(routerB.calls).toBe(0);
    const status = (await b.call('GET', '/api/v1/rollouts/wallet', { token: b.tokens.viewer })).body;
    expect(status.route.weight).toBe(20);
    expect(status.phase).toBe('Paused');

    // A command given to B is queued: A holds the lease and applies it at its next tick.
    const promoted = await b.call('POST', '/api/v1/rollouts/wallet/promote', {
      token: b.tokens.editor,
      body: {},
    });
    expect(promoted.body.queued).toBe(true);
    await a.services.rolloutDriver.tickOnce();
    expect(
      (await b.call('GET', '/api/v1/rollouts/wallet', { token: b.tokens.viewer })).body.route.weight,
    ).toBe(100);
    expect(routerB.calls).toBe(0);

    // A stops ticking (a crash): B waits for the lease to expire, then drives.
    await b.call('POST', '/api/v1/rollouts', {
      token: b.tokens.editor,
      body: { rollout: walletRollout([{ setWeight: 30 }, { pause: {} }], 'cashier') },
    });
    const before = routerB.calls;
    const owner = async () => (await rolloutStore.get(b.database.db, 'cashier'))?.leaseOwner;
    expect(await owner()).toBe('replica-b');
    clock.advance(31_000);
    await a.services.rolloutDriver.tickOnce();
    expect(await owner()).toBe('replica-a');
    expect(routerB.calls).toBe(before);
  });
});
