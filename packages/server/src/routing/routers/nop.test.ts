import { describe, expect, it } from 'vitest';
import { PitbossError } from '../../errors.js';
import type { RouteSpec } from '../router.js';
import { routerContract } from '../router-contract.js';
import { createRouter } from './index.js';
import { NopRouter, sameRoute } from './nop.js';

const route = (service: string): RouteSpec => ({
  service,
  stable: { version: 'v1', upstreams: ['http://127.0.0.1:9001'] },
  canary: { version: 'v2', upstreams: ['http://127.0.0.1:9002'] },
  stickiness: 'playerId',
});

routerContract('nop', async () => ({ router: new NopRouter(), routes: [route('wallet'), route('lobby')] }));

describe('NopRouter', () => {
  it('remembers the desired state per service', async () => {
    const router = new NopRouter();
    await router.setWeight(route('wallet'), 5);
    await router.setSegment(route('wallet'), 'player.employee == true');
    expect(router.state('wallet')).toEqual({ weight: 5, mirror: 0, segment: 'player.employee == true' });
    expect(router.state('lobby')).toEqual({ weight: 0, mirror: 0 });
  });

  it('refuses out-of-range weights with VALIDATION_FAILED', async () => {
    await expect(new NopRouter().setWeight(route('wallet'), 200)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'weight must be a percentage from 0 to 100, got 200',
    });
  });
});

describe('sameRoute', () => {
  it.each([
    [{ weight: 5, mirror: 0 }, { weight: 5, mirror: 0 }, true],
    [{ weight: 0.1 + 0.2, mirror: 0 }, { weight: 0.3, mirror: 0 }, true],
    [{ weight: 5, mirror: 0, segment: '' }, { weight: 5, mirror: 0 }, true],
    [{ weight: 5, mirror: 0, segment: 'a' }, { weight: 5, mirror: 0 }, false],
    [{ weight: 5, mirror: 1 }, { weight: 5, mirror: 0 }, false],
  ])('%j vs %j → %s', (a, b, same) => {
    expect(sameRoute(a, b)).toBe(same);
  });
});

describe('createRouter', () => {
  it('makes a nop router', () => {
    expect(createRouter('nop').kind).toBe('nop');
  });

  it('refuses unknown kinds', () => {
    expect(() => createRouter('istio')).toThrow(PitbossError);
    expect(() => createRouter('istio')).toThrow("unknown traffic router 'istio' (known: nop, gateway)");
  });
});
