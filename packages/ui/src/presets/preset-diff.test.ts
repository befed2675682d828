import { describe, expect, it } from 'vitest';
import { diffRows, type PresetView, sortPresets, stateRows } from './preset-diff.js';

const view = (key: string, emergency: boolean): PresetView => ({
  preset: { key, protected: false, emergency, states: {} },
  version: 1,
  archived: false,
  updatedAt: '',
});

describe('sortPresets', () => {
  it('puts emergency presets first, then sorts by key', () => {
    const sorted = sortPresets([view('b', false), view('z', true), view('a', false), view('c', true)]);
    expect(sorted.map((v) => v.preset.key)).toEqual(['c', 'z', 'a', 'b']);
  });
});

describe('stateRows', () => {
  it('lists each flag and environment with the fields it sets', () => {
    expect(
      stateRows({
        payments_v2: { prod: { killSwitch: true }, canary: { killSwitch: true, rules: [{}, {}] } },
        psp_b: { prod: { enabled: false, defaultVariant: 'off' } },
      }),
    ).toEqual([
      { flag: 'payments_v2', environment: 'prod', fields: 'killSwitch: true' },
      { flag: 'payments_v2', environment: 'canary', fields: 'killSwitch: true, rules: 2 rules' },
      { flag: 'psp_b', environment: 'prod', fields: 'enabled: false, defaultVariant: "off"' },
    ]);
  });
});

describe('diffRows', () => {
  it('flattens the dry run to before → after rows', () => {
    expect(
      diffRows({
        payments_v2: {
          prod: { killSwitch: { before: false, after: true }, rules: { before: null, after: [] } },
        },
      }),
    ).toEqual([
      { flag: 'payments_v2', environment: 'prod', field: 'killSwitch', before: 'false', after: 'true' },
      { flag: 'payments_v2', environment: 'prod', field: 'rules', before: 'null', after: '[]' },
    ]);
  });
});
