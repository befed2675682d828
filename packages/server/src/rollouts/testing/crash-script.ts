import { successTemplate, walletRollout } from './fixtures.js';

/** The flag the crash-safety rollout moves with a setFlag step. */
export const CRASH_FLAG = {
  key: 'new_cashier',
  kind: 'release',
  variants: { on: true, off: false },
  defaultVariant: 'off',
};

/** Weights the scripted rollout sets, in order; the router may never be told anything else. */
export const CRASH_WEIGHTS = [10, 30, 60, 100] as const;

/**
 * Every kind of step: routing, an analysis of two measurements, a pause for a person (the driver script promotes
 * it), a timed pause, a flag, a segment, a mirror.
 */
export function crashRollout(): Record<string, unknown> {
  return walletRollout([
    { setWeight: 10 },
    { analysis: { templates: [{ templateName: 'success-rate' }] } },
    { setWeight: 30 },
    { pause: {} },
    { setMirror: 20 },
    { pause: { duration: '20s' } },
    { setFlag: { flag: CRASH_FLAG.key, environment: 'prod', rollout: 0.5 } },
    { setSegment: 'user.isEmployee' },
    { setWeight: 60 },
  ]);
}

export function crashTemplate(): Record<string, unknown> {
  return successTemplate({ interval: '15s' });
}
