import type { EnvironmentConfig, Rule } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import {
  fromRuleDraft,
  moveItem,
  newRuleDraft,
  ruleProblems,
  toEnvDraft,
  toPatch,
  toRuleDraft,
} from './rules-draft.js';

const BOOL = ['on', 'off'];
const round = (rule: Rule, variants = BOOL) => fromRuleDraft(toRuleDraft(rule, 0, variants));

describe('rule drafts', () => {
  it('round-trips every rule shape unchanged', () => {
    const rules: Rule[] = [
      { if: "market in ['DE','SE']", rollout: 0.25 },
      { if: "brand == 'X' && user.isEmployee", rollout: 1 },
      { if: "segment('employees')" },
      { if: ' segment("employees")' },
      { rollout: 0.000001, description: 'canary' },
      { if: 'x', variant: 'off' },
    ];
    for (const rule of rules) expect(round(rule)).toEqual(rule);
    expect(round({ split: { a: 0.5, b: 0.5 } }, ['a', 'b'])).toEqual({ split: { a: 0.5, b: 0.5 } });
  });

  it('reads a lone segment reference as a segment pick', () => {
    expect(toRuleDraft({ if: "segment('nordics')" }, 0, BOOL)).toMatchObject({
      match: 'segment',
      segment: 'nordics',
    });
    expect(toRuleDraft({ if: "segment('a') && b" }, 0, BOOL).match).toBe('condition');
    expect(toRuleDraft({}, 0, BOOL).match).toBe('everyone');
    const picked = { ...toRuleDraft({ if: 'segment("a")' }, 0, BOOL), segment: 'b' };
    expect(fromRuleDraft(picked)).toEqual({ if: "segment('b')" });
  });

  it('converts percentages without float noise', () => {
    const d = { ...toRuleDraft({ rollout: 0.07 }, 0, BOOL) };
    expect(d.rolloutPct).toBe(7);
    expect(fromRuleDraft({ ...d, rolloutPct: 12.3456 }).rollout).toBe(0.123456);
  });

  it('names the variant only when the rule did or it is not on', () => {
    const d = toRuleDraft({ if: 'x' }, 0, BOOL);
    expect(fromRuleDraft({ ...d, variant: 'off' })).toEqual({ if: 'x', variant: 'off' });
    expect(toRuleDraft({}, 0, ['a', 'b']).variant).toBe('a');
  });

  it('drops zero shares of a split', () => {
    const d = toRuleDraft({ split: { a: 1 } }, 0, ['a', 'b']);
    expect(fromRuleDraft({ ...d, split: { a: 100, b: 0 } })).toEqual({ split: { a: 1 } });
  });

  it('starts a new rule at 0 % and lists what the form can check', () => {
    const d = newRuleDraft(1, BOOL);
    expect(d).toMatchObject({ match: 'condition', rolloutPct: 0 });
    expect(ruleProblems(d)).toEqual(['write a condition, or match everyone']);
    expect(ruleProblems({ ...d, match: 'segment' })).toEqual(['choose a segment']);
    expect(ruleProblems({ ...d, match: 'everyone', rolloutPct: 120 })).toHaveLength(1);
    expect(ruleProblems({ ...d, match: 'everyone', outcome: 'split', split: { on: 60, off: 30 } })).toEqual([
      'the split adds up to 90 %, not 100 %',
    ]);
  });
});

describe('toPatch', () => {
  const config: EnvironmentConfig = {
    enabled: true,
    killSwitch: false,
    rules: [{ if: 'a', rollout: 0.25 }],
    defaultVariant: 'off',
    offVariant: 'off',
    prerequisites: [],
  };

  it('sends only what changed', () => {
    const draft = toEnvDraft(config, BOOL);
    expect(toPatch(config, draft)).toEqual({});
    expect(toPatch(config, { ...draft, enabled: false })).toEqual({ enabled: false });
    const rules = [{ ...draft.rules[0]!, rolloutPct: 50 }];
    expect(toPatch(config, { ...draft, rules })).toEqual({ rules: [{ if: 'a', rollout: 0.5 }] });
  });
});

describe('moveItem', () => {
  it('moves and clamps', () => {
    expect(moveItem([1, 2, 3], 0, 1)).toEqual([2, 1, 3]);
    expect(moveItem([1, 2, 3], 2, -1)).toEqual([1, 3, 2]);
    expect(moveItem([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
  });
});
