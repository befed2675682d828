import { describe, expect, it } from 'vitest';
import { allowedCommands, phaseTone, routeText, stepText } from './rollout-format.js';

describe('rollout wording and commands', () => {
  const steps = ['setWeight 10', 'pause 5m', 'setWeight 50'];
  it('words phase, step and route', () => {
    expect(phaseTone('Aborted')).toBe('bad');
    expect(phaseTone('Analyzing')).toBe('info');
    expect(stepText({ stepIndex: 1, steps })).toBe('2/3');
    expect(stepText({ stepIndex: 3, steps })).toBe('3/3');
    expect(routeText({ weight: 12.5, mirror: 0 })).toBe('12.5 %');
    expect(routeText({ weight: 0, segment: 'user.country == "NL"', mirror: 0 })).toContain('segment');
  });
  it('enables what the state allows', () => {
    expect(allowedCommands({ phase: 'Aborted', stepIndex: 1, steps })).toMatchObject({
      abort: false,
      promote: false,
      retry: true,
    });
    expect(allowedCommands({ phase: 'Paused', stepIndex: 1, steps })).toMatchObject({
      promote: true,
      resume: true,
      pause: false,
      abort: true,
    });
    expect(allowedCommands({ phase: 'Progressing', stepIndex: 0, steps })).toMatchObject({
      promote: false,
      promoteFull: true,
      pause: true,
    });
    expect(Object.values(allowedCommands({ phase: 'Healthy', stepIndex: 3, steps })).some(Boolean)).toBe(
      false,
    );
  });
});
