import { describe, expect, it } from 'vitest';
import { changedKeys, details, typedValue } from './flag-values.js';
import type { RemoteResult } from './remote-evaluation.js';

const r = (value: unknown, variant: string | null = 'v', reason = 'DEFAULT'): RemoteResult => ({
  value,
  variant,
  reason,
});
const error: RemoteResult = { value: null, variant: null, reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' };

describe('typedValue', () => {
  it.each([
    ['a boolean flag, boolean fallback', r(true), false, true],
    ['a string flag, string fallback', r('dark'), 'classic', 'dark'],
    ['a number flag, number fallback', r(0), 7, 0],
    ['an object flag, object fallback', r({ limit: 5 }), {}, { limit: 5 }],
    ['an array flag, array fallback', r([1, 2]), [], [1, 2]],
    ['a missing flag', undefined, 'fallback', 'fallback'],
    ['an ERROR result (null value)', error, true, true],
    ['a string flag read as boolean', r('on'), false, false],
    ['a number flag read as string', r(1), '1', '1'],
    ['an array flag read as object', r([1]), { a: 1 }, { a: 1 }],
    ['an object flag read as array', r({ a: 1 }), [], []],
    ['a null fallback accepts any value', r('x'), null, 'x'],
  ])('%s', (_, result, fallback, expected) => {
    expect(typedValue(result, fallback)).toEqual(expected);
  });
});

describe('details', () => {
  const values = new Map<string, RemoteResult>([
    ['payments_v2', { value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 }],
    ['broken', { value: null, variant: null, reason: 'ERROR', errorCode: 'PARSE_ERROR' }],
  ]);

  it('answers a served flag with its variant, reason and rule', () => {
    expect(details('payments_v2', values)).toEqual({
      flagKey: 'payments_v2',
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      ruleIndex: 0,
    });
  });

  it('turns the server nulls of an ERROR into absent fields', () => {
    expect(details('broken', values)).toEqual({
      flagKey: 'broken',
      value: undefined,
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
    });
  });

  it('answers FLAG_NOT_FOUND for a flag the server did not send, PROVIDER_NOT_READY before any values', () => {
    expect(details('nope', values)).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    expect(details('constructor', values)).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    expect(details('payments_v2', undefined)).toMatchObject({
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
    });
  });
});

describe('changedKeys', () => {
  const m = (entries: [string, RemoteResult][]) => new Map(entries);

  it.each([
    ['nothing changed', m([['a', r(true, 'on')]]), m([['a', r(true, 'on')]]), []],
    [
      'only the reason changed',
      m([['a', r(true, 'on', 'SPLIT')]]),
      m([['a', r(true, 'on', 'TARGETING_MATCH')]]),
      [],
    ],
    ['a value changed', m([['a', r(true, 'on')]]), m([['a', r(false, 'on')]]), ['a']],
    ['a variant changed', m([['a', r('x', 'one')]]), m([['a', r('x', 'two')]]), ['a']],
    ['an equal JSON value, new object', m([['a', r({ n: 1 })]]), m([['a', r({ n: 1 })]]), []],
    ['a JSON value changed', m([['a', r({ n: 1 })]]), m([['a', r({ n: 2 })]]), ['a']],
    ['a flag added and one removed', m([['a', r(true)]]), m([['b', r(true)]]), ['a', 'b']],
  ])('%s', (_, before, after, expected) => {
    expect(changedKeys(before, after)).toEqual(expected);
  });
});
