import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createClient } from './index.js';

// The engine's conformance vectors (packages/engine/spec/README.md), run through the client's public API: the
// client must add nothing to, and lose nothing of, what the engine answers.
const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../engine/spec/${name}`, import.meta.url), 'utf8'));
const evaluation = read('evaluation.json');
const rollouts = read('rollouts.json');
const now = Date.parse(evaluation.now);

interface Case {
  name: string;
  flag: string;
  env: string;
  context: Record<string, unknown>;
  expectedType?: 'boolean' | 'string' | 'number' | 'object';
  expected: Record<string, unknown>;
}

const clients = new Map<string, ReturnType<typeof createClient>>();
function clientFor(env: string) {
  let client = clients.get(env);
  if (client === undefined) {
    client = createClient({
      environment: env,
      offline: true,
      bootstrap: evaluation.config,
      clock: () => now,
    });
    clients.set(env, client);
  }
  return client;
}

describe('conformance through the Node client', () => {
  it('loads the vectors config (broken_flag is accepted: it was never fine)', async () => {
    expect(await clientFor('prod').ready()).toBe(true);
    expect(clientFor('prod').evaluate('broken_flag').errorCode).toBe('PARSE_ERROR');
  });

  it.each(evaluation.cases as Case[])('evaluation: $name', (c) => {
    const client = clientFor(c.env);
    const details = client.evaluate(c.flag, c.context);
    if (c.expectedType === undefined) {
      expect(details).toMatchObject({ flagKey: c.flag, ...c.expected });
      if (!('ruleIndex' in c.expected)) expect(details.ruleIndex).toBeUndefined();
      return;
    }
    // value() asks the engine for the type of its fallback: a mismatch answers the fallback.
    const fallback = { boolean: false, string: '∅', number: -1, object: { fallback: true } }[c.expectedType];
    const value = client.value(c.flag, c.context, fallback);
    if (c.expected.errorCode !== undefined) expect(value).toEqual(fallback);
    else expect(value).toEqual(c.expected.value);
  });

  it.each(rollouts.cases as Case[])('rollouts: $name', (c) => {
    const details = clientFor(c.env).evaluate(c.flag, c.context);
    expect(details).toEqual({ flagKey: c.flag, ...c.expected });
  });
});
