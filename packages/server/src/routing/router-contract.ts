import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RouteSpec, type RouteState, STABLE_ONLY, type TrafficRouter } from './router.js';

export interface RouterContractFixture {
  readonly router: TrafficRouter;
  /** Two services the router may split (their upstreams exist where that matters). */
  readonly routes: readonly [RouteSpec, RouteSpec];
  close?(): Promise<void>;
}

/**
 * What every traffic router owes the rollout controller (Hono's `router/common.case.test.ts` pattern): each
 * implementation's test calls this with its setup. Calls are idempotent, `verify` confirms exactly the routing
 * asked for (the controller never advances before), `reset` returns everything to stable.
 */
export function routerContract(name: string, setup: () => Promise<RouterContractFixture>): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    let f: RouterContractFixture;
    let route: RouteSpec;
    let other: RouteSpec;
    beforeAll(async () => {
      f = await setup();
      [route, other] = f.routes;
    });
    afterAll(async () => {
      await f?.close?.();
    });
    const state = (weight: number, mirror = 0, segment?: string): RouteState =>
      segment === undefined ? { weight, mirror } : { weight, mirror, segment };

    it('starts stable only, after a reset', async () => {
      await f.router.reset(route);
      expect(await f.router.verify(route, STABLE_ONLY)).toBe(true);
      expect(await f.router.verify(route, state(5))).toBe(false);
    });

    it('confirms a weight, a segment and a mirror once set', async () => {
      await f.router.reset(route);
      await f.router.setWeight(route, 25);
      expect(await f.router.verify(route, state(25))).toBe(true);
      await f.router.setSegment(route, 'player.employee == true');
      expect(await f.router.verify(route, state(25, 0, 'player.employee == true'))).toBe(true);
      await f.router.setMirror(route, 10);
      expect(await f.router.verify(route, state(25, 10, 'player.employee == true'))).toBe(true);
    });

    it('does not confirm a routing that differs in weight, segment or mirror', async () => {
      await f.router.reset(route);
      await f.router.setWeight(route, 5);
      await f.router.setSegment(route, 'player.market == "SE"');
      expect(await f.router.verify(route, state(6, 0, 'player.market == "SE"'))).toBe(false);
      expect(await f.router.verify(route, state(5, 0, 'player.market == "DK"'))).toBe(false);
      expect(await f.router.verify(route, state(5))).toBe(false);
      expect(await f.router.verify(route, state(5, 1, 'player.market == "SE"'))).toBe(false);
      expect(await f.router.verify(route, state(5, 0, 'player.market == "SE"'))).toBe(true);
    });

    it('takes fractions of a percent', async () => {
      await f.router.reset(route);
      await f.router.setWeight(route, 0.1);
      expect(await f.router.verify(route, state(0.1))).toBe(true);
      expect(await f.router.verify(route, state(0.2))).toBe(false);
    });

    it('clears a segment', async () => {
      await f.router.reset(route);
      await f.router.setSegment(route, 'player.employee == true');
      await f.router.setSegment(route, undefined);
      expect(await f.router.verify(route, STABLE_ONLY)).toBe(true);
    });

    it('is idempotent: repeating a call changes nothing', async () => {
      await f.router.reset(route);
      for (let i = 0; i < 3; i++) {
        await f.router.setWeight(route, 50);
        await f.router.setMirror(route, 5);
        await f.router.setSegment(route, 'player.brand == "x"');
      }
      expect(await f.router.verify(route, state(50, 5, 'player.brand == "x"'))).toBe(true);
      await f.router.reset(route);
      await f.router.reset(route);
      expect(await f.router.verify(route, STABLE_ONLY)).toBe(true);
    });

    it('resets to stable only', async () => {
      await f.router.setWeight(route, 100);
      await f.router.setMirror(route, 20);
      await f.router.reset(route);
      expect(await f.router.verify(route, STABLE_ONLY)).toBe(true);
      expect(await f.router.verify(route, state(100, 20))).toBe(false);
    });

    it('keeps services apart', async () => {
      await f.router.reset(route);
      await f.router.reset(other);
      await f.router.setWeight(route, 30);
      expect(await f.router.verify(other, STABLE_ONLY)).toBe(true);
      await f.router.reset(other);
      expect(await f.router.verify(route, state(30))).toBe(true);
    });

    it('refuses weights outside 0–100', async () => {
      await expect(f.router.setWeight(route, 101)).rejects.toThrow();
      await expect(f.router.setWeight(route, -1)).rejects.toThrow();
      await expect(f.router.setWeight(route, Number.NaN)).rejects.toThrow();
      await expect(f.router.setMirror(route, 150)).rejects.toThrow();
    });
  });
}
