import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from './index.js';

const config = (killSwitch = false) => ({
  schemaVersion: 1,
  environments: ['dev', 'prod'],
  flags: [
    { feature: 'payments_v2', rules: [{ if: "market in ['DE','SE']", rollout: 1 }], kill_switch: killSwitch },
    { key: 'banner', variants: { a: 'blue', b: 'red' }, defaultVariant: 'a' },
  ],
});
const tmp = () => mkdtempSync(join(tmpdir(), 'pitboss-sdk-'));

describe('Node client, offline', () => {
  it('evaluates a bootstrap object locally', async () => {
    const client = createClient({ environment: 'prod', offline: true, bootstrap: config() });
    expect(await client.ready()).toBe(true);
    expect(client.status).toBe('READY');
    expect(client.version).toBe(0);
    expect(client.isEnabled('payments_v2', { user: { id: 'p-1' }, market: 'DE' })).toBe(true);
    expect(client.isEnabled('payments_v2', { user: { id: 'p-1' }, market: 'UK' })).toBe(false);
    expect(client.variant('payments_v2', { market: 'DE', user: { id: 'p-1' } })).toBe('on');
    expect(client.evaluate('payments_v2', { market: 'DE', user: { id: 'p-1' } })).toEqual({
      flagKey: 'payments_v2',
      value: true,
      variant: 'on',
      reason: 'TARGETING_MATCH',
      ruleIndex: 0,
    });
    expect(client.flagType('banner')).toBe('string');
    expect(client.flagType('nope')).toBeUndefined();
    await client.close();
  });

  it('answers the fallback on errors and type mismatches, never throws', () => {
    const client = createClient({ environment: 'prod', offline: true, bootstrap: config() });
    expect(client.value('banner', {}, 'green')).toBe('blue');
    expect(client.value('banner', {}, 42)).toBe(42);
    expect(client.value('nope', undefined, { x: 1 })).toEqual({ x: 1 });
    expect(client.isEnabled('banner')).toBe(false);
    expect(client.evaluate('banner', {}).value).toBe('blue');
    expect(client.evaluate('nope')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    const hostile = Object.defineProperty({}, 'market', {
      get() {
        throw new Error('boom');
      },
    });
    expect(client.evaluate('payments_v2', hostile)).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
  });

  it('reads a bootstrap file holding a snapshot, with its version', () => {
    const file = join(tmp(), 'bootstrap.json');
    writeFileSync(file, JSON.stringify({ version: 7, environment: 'prod', config: config(true) }));
    const client = createClient({ environment: 'prod', offline: true, bootstrap: file });
    expect(client.version).toBe(7);
    expect(client.evaluate('payments_v2', { market: 'DE' })).toMatchObject({ reason: 'KILL_SWITCH' });
  });

  it('prefers the cache file when it is newer than the bootstrap', () => {
    const cacheFile = join(tmp(), 'cache.json');
    writeFileSync(cacheFile, JSON.stringify({ version: 9, environment: 'prod', config: config(true) }));
    const client = createClient({ environment: 'prod', offline: true, bootstrap: config(), cacheFile });
    expect(client.version).toBe(9);
    expect(client.isEnabled('payments_v2', { market: 'DE', user: { id: 'p' } })).toBe(false);
  });

  it('is not ready without any config: PROVIDER_NOT_READY, status ERROR, ready() false', async () => {
    const errors: unknown[] = [];
    const client = createClient({ environment: 'prod', offline: true, cacheFile: join(tmp(), 'none.json') });
    client.on('error', (e) => errors.push(e));
    expect(client.status).toBe('ERROR');
    expect(await client.ready({ timeoutMs: 10 })).toBe(false);
    expect(client.evaluate('payments_v2')).toEqual({
      flagKey: 'payments_v2',
      value: undefined,
      reason: 'ERROR',
      errorCode: 'PROVIDER_NOT_READY',
      errorMessage: 'no configuration loaded yet',
    });
    expect(client.value('payments_v2', {}, true)).toBe(true);
    await Promise.resolve();
    expect(errors).toHaveLength(1);
  });

  it('refuses a malformed bootstrap and a snapshot for another environment, and says so', async () => {
    const errors: unknown[] = [];
    const dir = tmp();
    writeFileSync(join(dir, 'bad.json'), '{ not json');
    const bad = createClient({ environment: 'prod', offline: true, bootstrap: join(dir, 'bad.json') });
    bad.on('error', (e) => errors.push(e));
    const other = createClient({
      environment: 'prod',
      offline: true,
      bootstrap: { version: 3, environment: 'dev', config: config() },
    });
    other.on('error', (e) => errors.push(e));
    await Promise.resolve();
    expect(bad.status).toBe('ERROR');
    expect(other.status).toBe('ERROR');
    expect(errors.map(String)).toEqual([
      expect.stringContaining('bootstrap snapshot refused: malformed JSON'),
      'Error: offline without a bootstrap or cache file',
      expect.stringContaining("snapshot is for environment 'dev'"),
      'Error: offline without a bootstrap or cache file',
    ]);
  });

  it('counts evaluations per flag and variant, and isolates a throwing listener', async () => {
    const warnings: string[] = [];
    const client = createClient({
      environment: 'prod',
      offline: true,
      bootstrap: config(),
      logger: { warn: (m) => warnings.push(m) },
    });
    client.on('ready', () => {
      throw new Error('listener bug');
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(warnings).toContain('a client event listener threw');
    for (const market of ['DE', 'DE', 'UK']) client.isEnabled('payments_v2', { market, user: { id: 'p' } });
    client.variant('nope');
    expect(client.metrics()).toEqual([
      { flag: 'payments_v2', variant: 'on', count: 2 },
      { flag: 'payments_v2', variant: 'off', count: 1 },
      { flag: 'nope', variant: '', count: 1 },
    ]);
  });

  it('refuses options it cannot work with', () => {
    expect(() => createClient({ environment: 'prod' })).toThrow(TypeError);
    expect(() => createClient({ environment: '', offline: true })).toThrow(TypeError);
  });
});
