import { describe, expect, it } from 'vitest';
import { formatDuration, formatPromDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['5s', 5_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['0s', 0],
    ['30', 30_000],
    [30, 30_000],
    [0, 0],
    [' 15m ', 900_000],
  ])('%j → %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each([
    ['abc'],
    ['-5s'],
    ['5d'],
    ['5 s'],
    ['m'],
    [''],
    ['1.5'],
    [1.5],
    [-1],
    [null],
    [true],
    ['{{args.x}}'],
  ])('%j is not a duration', (input) => expect(parseDuration(input)).toBeUndefined());
});

describe('formatPromDuration', () => {
  it.each([
    [95_400, '95s'],
    [0, '1s'],
    [999, '1s'],
    [3_600_000, '3600s'],
    [-5, '1s'],
    [Number.NaN, '1s'],
  ])('%d ms → %s', (ms, text) => expect(formatPromDuration(ms)).toBe(text));
});

describe('formatDuration', () => {
  it.each([
    [500, '500ms'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [0, '0ms'],
    [1000, '1s'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
