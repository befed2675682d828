import { describe, expect, it } from 'vitest';
import { toOtelAttributes } from './otel.js';

describe('toOtelAttributes', () => {
  it('names an OpenFeature evaluation with the semantic conventions', () => {
    const details = {
      flagKey: 'payments_v2',
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      flagMetadata: { pitbossReason: 'SPLIT', ruleIndex: 0, version: 7 },
    };
    expect(toOtelAttributes(details, { contextId: 'p-42' })).toEqual({
      'feature_flag.key': 'payments_v2',
      'feature_flag.provider.name': 'pitboss',
      'feature_flag.result.variant': 'on',
      'feature_flag.result.reason': 'split',
      'feature_flag.context.id': 'p-42',
      'feature_flag.version': '7',
      'pitboss.reason': 'SPLIT',
      'pitboss.rule_index': 0,
    });
  });

  it('accepts a Pitboss SDK evaluation, mapping its reason', () => {
    const details = { flagKey: 'f', value: false, variant: 'off', reason: 'KILL_SWITCH' };
    expect(toOtelAttributes(details, { version: 3 })).toEqual({
      'feature_flag.key': 'f',
      'feature_flag.provider.name': 'pitboss',
      'feature_flag.result.variant': 'off',
      'feature_flag.result.reason': 'disabled',
      'feature_flag.version': '3',
      'pitboss.reason': 'KILL_SWITCH',
    });
  });

  it('adds the error type and message on errors', () => {
    const details = {
      flagKey: 'f',
      value: false,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: "no flag 'f'",
    };
    expect(toOtelAttributes(details)).toMatchObject({
      'feature_flag.result.reason': 'error',
      'error.type': 'flag_not_found',
      'feature_flag.error.message': "no flag 'f'",
    });
  });

  it('exports the value only when asked, objects as JSON', () => {
    const details = { flagKey: 'f', value: { a: 1 }, variant: 'v', reason: 'DEFAULT' };
    expect(toOtelAttributes(details)).not.toHaveProperty('feature_flag.result.value');
    expect(toOtelAttributes(details, { includeValue: true })['feature_flag.result.value']).toBe('{"a":1}');
  });

  it('passes OpenFeature-only reasons through', () => {
    expect(
      toOtelAttributes({ flagKey: 'f', reason: 'STATIC', flagMetadata: {} })['feature_flag.result.reason'],
    ).toBe('static');
  });
});
