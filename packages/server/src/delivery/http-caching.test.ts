import { describe, expect, it } from 'vitest';
import { acceptsGzip, entityTag, notModified } from './http-caching.js';

describe('entityTag', () => {
  it('is the version, with a distinct strong tag for the gzip representation', () => {
    expect(entityTag(42, 'identity')).toBe('"42"');
    expect(entityTag(42, 'gzip')).toBe('"42-gzip"');
  });
});

describe('notModified (RFC 9110 §13.1.2)', () => {
  it.each([
    [undefined, false],
    ['"42"', true],
    ['W/"42"', true],
    ['"42-gzip"', true],
    ['"41", "42"', true],
    ['"41" ,W/"42-gzip"', true],
    ['*', true],
    ['"41"', false],
    ['"420"', false],
    ['42', false],
    ['"42-br"', false],
    ['', false],
  ])('%s → %s', (header, expected) => {
    expect(notModified(header, 42)).toBe(expected);
  });
});

describe('acceptsGzip (RFC 9110 §12.5.3)', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['gzip', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['br, gzip;q=0.5', true],
    ['gzip;q=0', false],
    ['gzip; q=0.0, identity', false],
    ['*', true],
    ['*;q=0', false],
    ['gzip;q=0, *', false],
    ['br, deflate', false],
    ['identity', false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
