import { describe, expect, it } from 'vitest';
import { hasType, toOpenFeatureErrorCode, toOpenFeatureReason, toResolution } from './mapping.js';

describe('toOpenFeatureReason', () => {
  it.each([
    ['TARGETING_MATCH', 'TARGETING_MATCH'],
    ['SPLIT', 'SPLIT'],
    ['DEFAULT', 'DEFAULT'],
    ['DISABLED', 'DISABLED'],
    ['KILL_SWITCH', 'DISABLED'],
    ['PREREQUISITE_FAILED', 'DISABLED'],
    ['ERROR', 'ERROR'],
    ['SOMETHING_NEW', 'UNKNOWN'],
  ])('%s → %s', (engine, openFeature) => expect(toOpenFeatureReason(engine)).toBe(openFeature));
});

describe('toOpenFeatureErrorCode', () => {
  it.each([
    ['FLAG_NOT_FOUND', 'FLAG_NOT_FOUND'],
    ['TYPE_MISMATCH', 'TYPE_MISMATCH'],
    ['PARSE_ERROR', 'PARSE_ERROR'],
    ['INVALID_CONTEXT', 'INVALID_CONTEXT'],
    ['PROVIDER_NOT_READY', 'PROVIDER_NOT_READY'],
    ['GENERAL', 'GENERAL'],
    ['ENVIRONMENT_NOT_FOUND', 'GENERAL'],
    ['SOMETHING_NEW', 'GENERAL'],
    [undefined, 'GENERAL'],
  ])('%s → %s', (engine, openFeature) => expect(toOpenFeatureErrorCode(engine)).toBe(openFeature));
});

describe('hasType', () => {
  it.each([
    [true, 'boolean', true],
    ['x', 'string', true],
    [0, 'number', true],
    [{}, 'object', true],
    [[1], 'object', true],
    [null, 'object', false],
    ['1', 'number', false],
    [1, 'boolean', false],
  ] as const)('%j is %s: %s', (value, type, expected) => expect(hasType(value, type)).toBe(expected));
});

describe('toResolution', () => {
  it('maps a success with variant, reason and metadata', () => {
    const details = { flagKey: 'f', value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 2 };
    expect(toResolution(details, 'boolean', false, { version: 7 })).toEqual({
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      flagMetadata: { pitbossReason: 'SPLIT', ruleIndex: 2, version: 7 },
    });
  });

  it('keeps the engine reason in metadata when it maps to another', () => {
    const r = toResolution(
      { flagKey: 'f', value: false, variant: 'off', reason: 'KILL_SWITCH' },
      'boolean',
      true,
    );
    expect(r).toEqual({
      value: false,
      variant: 'off',
      reason: 'DISABLED',
      flagMetadata: { pitbossReason: 'KILL_SWITCH' },
    });
  });

  it('serves the default value with the mapped error code on an engine error', () => {
    const details = {
      flagKey: 'f',
      value: undefined,
      reason: 'ERROR',
      errorCode: 'ENVIRONMENT_NOT_FOUND',
      errorMessage: "no environment 'qa'",
    };
    expect(toResolution(details, 'string', 'dflt')).toEqual({
      value: 'dflt',
      reason: 'ERROR',
      errorCode: 'GENERAL',
      errorMessage: "no environment 'qa'",
      flagMetadata: { pitbossReason: 'ERROR' },
    });
  });

  it('is a TYPE_MISMATCH when the value has another type than asked', () => {
    const r = toResolution({ flagKey: 'f', value: 'on', variant: 'a', reason: 'DEFAULT' }, 'number', 3);
    expect(r).toMatchObject({
      value: 3,
      reason: 'ERROR',
      errorCode: 'TYPE_MISMATCH',
      errorMessage: "flag 'f' is string, not number",
    });
  });

  it('gives an error without a message one', () => {
    const r = toResolution({ flagKey: 'f', value: undefined, reason: 'ERROR' }, 'boolean', false);
    expect(r).toMatchObject({ errorCode: 'GENERAL', errorMessage: "flag 'f' could not be evaluated" });
  });
});
