import { afterEach, describe, expect, it } from 'vitest';
import type { RouteSpec } from '../routing/router.js';
import { NopRouter } from '../routing/routers/nop.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { walletRollout } from './testing/fixtures.js';
import { ScriptedProvider } from './testing/scripted-provider.js';

/** The router the loop drives, failing its first `failures` weight changes (a gateway restarting). */
class FlakyRouter extends NopRouter {
  constructor(private failures: number) {
    super();
  }
  override async setWeight(route: RouteSpec, weight: number): Promise<void> {
    if (this.failures-- > 0) throw new Error('gateway unavailable');
    return super.setWeight(route, weight);
  }
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The loop as `pitboss server` runs it: real timers, woken by due times, stopped cleanly with the app. */
describe('rollout driver loop (sqlite)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('drives a rollout with a timed pause to Healthy by itself, retrying a failed router call', async () => {
    const router = new FlakyRouter(2);
    t = await startTestApp('sqlite', {
      rollouts: {
        router,
        providers: () => new ScriptedProvider(() => undefined),
        tickMs: 100,
        run: true,
      },
    });
    const app = t;
    const started = await app.call('POST', '/api/v1/rollouts', {
      token: app.tokens.editor,
      body: walletRollout([{ setWeight: 10 }, { pause: { duration: '300ms' } }, { setWeight: 50 }]),
    });
    expect(started.status).toBe(201);
    const status = () => app.call('GET', '/api/v1/rollouts/wallet', { token: app.tokens.viewer });
    const done = await until(status, (r) => r.body.phase === 'Healthy', 'Healthy');
    expect(done.body.route).toEqual({ weight: 100, mirror: 0 });
    expect(router.state('wallet')).toEqual({ weight: 100, mirror: 0 });
    const history = await app.call('GET', '/api/v1/rollouts/wallet/history', { token: app.tokens.viewer });
    const events: string[] = history.body.entries.map((e: { event: string }) => e.event);
    // The failed router call is noted once in the rollout's history, then retried until it went through.
    expect(events.filter((e) => e === 'action_failed').length).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e === 'Completed')).toHaveLength(1);
  });
});
