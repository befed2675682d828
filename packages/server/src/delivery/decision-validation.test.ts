import { describe, expect, it } from 'vitest';
import { isPitbossError } from '../errors.js';
import { fieldName, validateDecisionBatch } from './decision-validation.js';

const ok = { flag: 'payments_v2', reason: 'SPLIT', at: '2030-01-10T12:00:00Z' };

function problems(body: unknown): string[] {
  try {
    validateDecisionBatch(body);
  } catch (e) {
    if (!isPitbossError(e) || e.code !== 'VALIDATION_FAILED') throw e;
    return (e.details as { field: string; message: string }[]).map((d) => `${d.field}: ${d.message}`);
  }
  return [];
}

describe('validateDecisionBatch', () => {
  it('normalises a valid batch: UTC times, absent fields null', () => {
    expect(
      validateDecisionBatch({
        environment: 'prod',
        decisions: [
          ok,
          { ...ok, variant: 'on', ruleIndex: 2, traceId: 't-1', at: '2030-01-10T13:00:00.5+01:00' },
        ],
      }),
    ).toEqual({
      environment: 'prod',
      decisions: [
        {
          flag: 'payments_v2',
          variant: null,
          reason: 'SPLIT',
          ruleIndex: null,
          traceId: null,
          at: '2030-01-10T12:00:00.000Z',
        },
        {
          flag: 'payments_v2',
          variant: 'on',
          reason: 'SPLIT',
          ruleIndex: 2,
          traceId: 't-1',
          at: '2030-01-10T12:00:00.500Z',
        },
      ],
    });
  });

  it.each([
    [[], ['body: the body must be a JSON object']],
    [{ environment: '', decisions: [] }, ['environment: must be a string of 1 to 128 characters']],
    [{ environment: 'prod', decisions: {} }, ['decisions: must be an array']],
    [{ environment: 'prod', decisions: [], more: 1 }, ['more: unknown field']],
    [{ environment: 'prod', decisions: [7] }, ['decisions[0]: must be an object']],
    [
      { environment: 'prod', decisions: [{ ...ok, flag: '' }] },
      ['decisions[0].flag: must be a string of 1 to 128 characters'],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, variant: 3 }] },
      ['decisions[0].variant: must be a string of 1 to 128 characters'],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, reason: 'split' }] },
      [expect.stringMatching(/^decisions\[0\]\.reason: must be one of DISABLED, /)],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, ruleIndex: -1 }] },
      ['decisions[0].ruleIndex: must be a non-negative integer'],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, ruleIndex: 1.5 }] },
      ['decisions[0].ruleIndex: must be a non-negative integer'],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, traceId: 'x'.repeat(129) }] },
      ['decisions[0].traceId: must be a string of 1 to 128 characters'],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, at: '2030-01-10' }] },
      [expect.stringMatching(/^decisions\[0\]\.at: must be an ISO 8601 date-time/)],
    ],
    [
      { environment: 'prod', decisions: [{ ...ok, at: '2030-02-30T00:00:00Z' }] },
      [expect.stringMatching(/^decisions\[0\]\.at: /)],
    ],
    [
      { environment: 'prod', decisions: [ok, { ...ok, colour: 'red' }] },
      ['decisions[1].colour: unknown field'],
    ],
  ])('%j → %j', (body, expected) => {
    expect(problems(body)).toEqual(expected);
  });

  it('refuses more than 1000 decisions, and lists at most 20 problems', () => {
    expect(problems({ environment: 'prod', decisions: Array(1001).fill(ok) })).toEqual([
      'decisions: at most 1000 decisions per batch, got 1001',
    ]);
    expect(problems({ environment: 'prod', decisions: Array(1000).fill({}) })).toHaveLength(20);
    expect(problems({ environment: 'prod', decisions: Array(1000).fill(ok) })).toEqual([]);
  });

  it('writes paths the way SDK authors do', () => {
    expect(fieldName(['decisions', 3, 'reason'])).toBe('decisions[3].reason');
    expect(fieldName([])).toBe('body');
  });
});
