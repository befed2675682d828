import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bucketFor, compile, murmur3 } from './index.js';
import type { ValueType } from './model/flag.js';

// The conformance vectors every Pitboss SDK runs (packages/engine/spec/). This file is the engine's runner.
const read = (name: string) => JSON.parse(readFileSync(new URL(`../spec/${name}`, import.meta.url), 'utf8'));
const evaluation = read('evaluation.json');
const rollouts = read('rollouts.json');
const bucketing = read('bucketing.json');

interface Case {
  name: string;
  flag: string;
  env: string;
  context: Record<string, unknown>;
  expectedType?: ValueType;
  expected: Record<string, unknown>;
}

const now = Date.parse(evaluation.now);
const { config, diagnostics } = compile(evaluation.config, { now, clock: () => now });

describe('conformance: evaluation.json', () => {
  it('the config has errors only in broken_flag', () => {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.flag, d.code])).toEqual([['broken_flag', 'EXPR_SYNTAX']]);
  });

  it.each(evaluation.cases as Case[])('$name', (c) => {
    const result = config.evaluate(c.flag, c.env, c.context, c.expectedType);
    expect(result).toMatchObject(c.expected);
    if (!('ruleIndex' in c.expected)) expect(result.ruleIndex).toBeUndefined();
  });
});

describe('conformance: rollouts.json', () => {
  it.each(rollouts.cases as Case[])('$name', (c) => {
    expect(config.evaluate(c.flag, c.env, c.context)).toEqual(c.expected);
  });
});

describe('conformance: bucketing.json', () => {
  it.each(bucketing.vectors as { salt: string; value: string; hash: number; bucket: number }[])(
    'salt $salt, value $value → bucket $bucket',
    ({ salt, value, hash, bucket }) => {
      expect(murmur3(`${salt}:${value}`)).toBe(hash);
      expect(bucketFor(salt, value)).toBe(bucket);
    },
  );
});
