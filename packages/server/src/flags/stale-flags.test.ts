import { loadConfig } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import { servedEverywhere } from './stale-flags.js';

const ENVS = ['dev', 'prod'];
/** The variant served to everyone everywhere by a flag written as `authored`, if any. */
const served = (authored: Record<string, unknown>) =>
  servedEverywhere(
    loadConfig({ environments: ENVS, flags: [{ key: 'f', ...authored }] }).config.flags[0]!,
    ENVS,
  );

describe('servedEverywhere', () => {
  it.each([
    ['a rule without condition at rollout 1', { rules: [{ rollout: 1 }] }, 'on'],
    ["an 'if: true' rule", { rules: [{ if: 'true' }] }, 'on'],
    ['no rules and default on', { defaultVariant: 'on' }, 'on'],
    [
      'conditional rules before the catch-all serving the same',
      { rules: [{ if: 'a', rollout: 0.5 }, { rollout: 1 }] },
      'on',
    ],
    ['a conditional rule only', { rules: [{ if: 'a == 1' }] }, undefined],
    ['a partial rollout', { rules: [{ rollout: 0.5 }] }, undefined],
    ['off everywhere (dead, not rolled out)', {}, undefined],
    ['killed in prod', { rules: [{ rollout: 1 }], environments: { prod: { killSwitch: true } } }, undefined],
    ['disabled in dev', { rules: [{ rollout: 1 }], environments: { dev: { enabled: false } } }, undefined],
    ['on in dev only', { environments: { dev: { rules: [{ rollout: 1 }] } } }, undefined],
    [
      'a prerequisite that may fail',
      { rules: [{ rollout: 1 }], prerequisites: [{ flag: 'g', variant: 'on' }] },
      undefined,
    ],
    ['one variant of a string flag', { variants: { a: 'a', b: 'b' }, rules: [{ variant: 'b' }] }, 'b'],
    ['a split', { variants: { a: 'a', b: 'b' }, rules: [{ split: { a: 0.5, b: 0.5 } }] }, undefined],
    [
      'a split fully on one side',
      { variants: { a: 'a', b: 'b' }, defaultVariant: 'b', rules: [{ split: { a: 0, b: 1 } }] },
      'b',
    ],
  ])('%s', (_name, authored, expected) => {
    expect(served(authored)).toBe(expected);
  });
});
