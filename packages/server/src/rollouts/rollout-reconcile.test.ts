import { describe, expect, it } from 'vitest';
import { dueAt, progressed, unchanged } from './rollout-reconcile.js';
import type { RolloutState } from './rollout-state.js';

const base: RolloutState = {
  name: 'wallet',
  revision: 1,
  phase: 'Progressing',
  reason: 'TimedPause',
  message: '',
  stepIndex: 1,
  stepStartedAt: '2030-01-01T00:00:00.000Z',
  route: { weight: 5, mirror: 0 },
  routeConfirmed: true,
  transitions: 2,
  updatedAt: '2030-01-01T00:00:00.000Z',
};
const at = (iso: string) => new Date(iso);

describe('reconcile decisions', () => {
  it('writes nothing for the same state without transitions', () => {
    expect(unchanged(base, { next: base, actions: [], transitions: [] })).toBe(true);
    expect(
      unchanged(base, {
        next: { ...base },
        actions: [{ kind: 'route', route: base.route }],
        transitions: [],
      }),
    ).toBe(true);
    expect(unchanged(base, { next: { ...base, stepIndex: 2 }, actions: [], transitions: [] })).toBe(false);
  });

  it('goes on when the phase, the step or the confirmation moved', () => {
    expect(progressed(base, { ...base, message: 'x' })).toBe(false);
    expect(progressed(base, { ...base, stepIndex: 2 })).toBe(true);
    expect(progressed(base, { ...base, phase: 'Paused' })).toBe(true);
    expect(progressed(base, { ...base, routeConfirmed: false })).toBe(true);
  });

  it('is next due at a timed pause end, never for settled or unconfirmed rollouts', () => {
    const until = '2030-01-01T00:01:00.000Z';
    expect(dueAt({ ...base, pause: { reason: 'TimedPause', since: base.stepStartedAt, until } })).toEqual(
      at(until),
    );
    expect(dueAt(base)).toBeUndefined();
    expect(dueAt({ ...base, phase: 'Healthy', pause: { reason: 'x', since: until, until } })).toBeUndefined();
    expect(
      dueAt({ ...base, routeConfirmed: false, pause: { reason: 'x', since: until, until } }),
    ).toBeUndefined();
  });
});
