import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

function accepts(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('findJsonSyntaxError', () => {
  it.each([
    ['{"a": 1,}', 7, /trailing comma/],
    ['{"a": 1 "b": 2}', 8, /expected ',' or '}'/],
    ['{a: 1}', 1, /double-quoted property name/],
    ['{"a" 1}', 5, /expected ':'/],
    ['[1, 2', 5, /expected ',' or '\]', found the end/],
    ['{"a": "x\ny"}', 8, /control character/],
    ['{"a": "\\q"}', 7, /invalid escape/],
    ['{"a": tru}', 6, /expected a value/],
    ['{"a": 01}', 7, /expected ',' or '}'/],
    ['{} {}', 3, /after the end/],
    ['"abc', 0, /unterminated string/],
    ['', 0, /expected a value, found the end/],
  ])('%j fails at %i', (text, offset, message) => {
    const e = findJsonSyntaxError(text);
    expect(e?.offset).toBe(offset);
    expect(e?.message).toMatch(message);
  });

  it('survives hostile nesting without recursion', () => {
    expect(findJsonSyntaxError(`${'['.repeat(200_000)}1${']'.repeat(200_000)}`)).toBeUndefined();
    expect(findJsonSyntaxError(`${'['.repeat(200_000)}`)?.offset).toBe(200_000);
  });

  it('agrees with JSON.parse on valid and mangled JSON', () => {
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', 'x', ' '),
        (json, at, junk) => {
          const i = at % (json.length + 1);
          const mangled = json.slice(0, i) + junk + json.slice(i);
          expect(findJsonSyntaxError(json)).toBeUndefined();
          expect(findJsonSyntaxError(mangled) === undefined).toBe(accepts(mangled));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
