import { describe, expect, it } from 'vitest';
import { blocks, checkExpression } from './expression-check.js';

const SEGMENTS = new Set(['employees']);

describe('checkExpression', () => {
  it('accepts valid conditions and known segments', () => {
    expect(checkExpression("market in ['DE','SE']", SEGMENTS)).toEqual([]);
    expect(checkExpression("segment('employees') && brand == 'X'", SEGMENTS)).toEqual([]);
  });

  it('positions a syntax error by line and column with a caret excerpt', () => {
    const [p] = checkExpression("market = 'DE'", SEGMENTS);
    expect(p).toMatchObject({ code: 'EXPR_SYNTAX', severity: 'error', line: 1, column: 8 });
    expect(p!.excerpt.split('\n')[1]).toMatch(/^ {7}\^/);
  });

  it('counts lines in multi-line conditions', () => {
    const [p] = checkExpression("market == 'DE' &&\n  segment('staff')", SEGMENTS);
    expect(p).toMatchObject({ code: 'EXPR_UNKNOWN_SEGMENT', line: 2, column: 11 });
  });

  it('treats every segment as known until the list arrives', () => {
    expect(checkExpression("segment('staff')", undefined)).toEqual([]);
  });

  it('lets warnings through and blocks on errors', () => {
    const warn = checkExpression("appVersion >= '2.3.0'", SEGMENTS);
    expect(warn.length).toBeGreaterThan(0);
    expect(blocks(warn)).toBe(false);
    expect(blocks(checkExpression('(', SEGMENTS))).toBe(true);
  });
});
