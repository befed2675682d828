import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, staleFlags } from '../index.js';

const ARTICLE =
  '{"feature": "payments_v2", "rules": [{"if": "market in [\'DE\',\'SE\']", "rollout": 0.25}, {"if": "brand == \'X\' && user.isEmployee", "rollout": 1.0}], "kill_switch": false}';

describe('the seed article', () => {
  const { config, diagnostics } = compile(JSON.parse(ARTICLE));

  it('loads verbatim with no errors, in every default environment', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(config.model.environments).toEqual(['dev', 'stage', 'canary', 'prod']);
    for (const env of config.model.environments) {
      expect(config.flag('payments_v2')!.environments[env]!.rules).toHaveLength(2);
    }
  });

  it('keeps employees of brand X on even when the 25 % rollout does not select them', () => {
    // Find German employees outside the 25 %: the first rule falls through to the second.
    let checked = 0;
    for (let i = 0; checked < 20; i++) {
      const ctx = { user: { id: `emp-${i}`, isEmployee: true }, brand: 'X', market: 'DE' };
      const r = config.evaluate('payments_v2', 'prod', ctx);
      if (r.reason === 'SPLIT') continue;
      expect(r).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH', ruleIndex: 1 });
      checked++;
    }
  });

  it('returns shared, frozen results: evaluation allocates nothing', () => {
    const ctx = { user: { id: 'p-1' }, market: 'UK' };
    const a = config.evaluate('payments_v2', 'prod', ctx);
    const b = config.evaluate('payments_v2', 'prod', { ...ctx, user: { id: 'p-2' } });
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
  });
});

describe('evaluation never throws', () => {
  const { config } = compile(JSON.parse(ARTICLE));

  it('turns a throwing context into ERROR / GENERAL', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom');
        },
      },
    );
    expect(config.evaluate('payments_v2', 'prod', hostile)).toMatchObject({
      reason: 'ERROR',
      errorCode: 'GENERAL',
    });
  });

  it('survives any context value', () => {
    fc.assert(
      fc.property(fc.anything(), (ctx) => {
        const r = config.evaluate('payments_v2', 'prod', ctx as never);
        expect(['DEFAULT', 'SPLIT', 'TARGETING_MATCH', 'ERROR']).toContain(r.reason);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('environments', () => {
  const { config, diagnostics } = compile({
    flags: [
      {
        key: 'payments_v2',
        expiresAt: '2027-01-01',
        rules: [{ if: "market == 'DE'", rollout: 0.25 }],
        environments: { dev: { rules: [{ if: 'true' }] }, prod: { killSwitch: true } },
      },
    ],
  });

  it('override the shared fields one by one', () => {
    expect(diagnostics).toEqual([]);
    expect(config.evaluate('payments_v2', 'dev', { market: 'UK' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(config.evaluate('payments_v2', 'prod', { market: 'DE' })).toMatchObject({
      value: false,
      reason: 'KILL_SWITCH',
    });
    expect(config.flag('payments_v2')!.environments.prod!.rules).toEqual([
      { if: "market == 'DE'", rollout: 0.25 },
    ]);
    expect(config.flag('payments_v2')!.environments.stage!.killSwitch).toBe(false);
  });
});

describe('time', () => {
  const doc = {
    key: 'christmas',
    rules: [{ if: "now() >= '2026-12-24' && now() < '2026-12-27T00:00:00Z'" }],
  };

  it.each([
    ['2026-12-23T23:59:59Z', false],
    ['2026-12-24T00:00:00Z', true],
    ['2026-12-26T23:59:59Z', true],
    ['2026-12-27T00:00:00Z', false],
  ])('at %s the window is %s', (at, on) => {
    const { config } = compile(doc, { clock: () => Date.parse(at) });
    expect(config.evaluate('christmas', 'prod', {}).value).toBe(on);
  });
});

describe('splits and prerequisites', () => {
  const { config, diagnostics } = compile({
    flags: [
      {
        key: 'layout',
        variants: { a: 'a', b: 'b', c: 'c' },
        defaultVariant: 'a',
        rules: [{ split: { a: 0.2, b: 0.3, c: 0.5 } }],
      },
      { key: 'base', rules: [{ if: "market == 'DE'" }] },
      { key: 'dependent', rules: [{ if: 'true' }], prerequisites: [{ flag: 'base', variant: 'on' }] },
    ],
  });

  it('a split serves each variant its share', () => {
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    const n = 100_000;
    for (let i = 0; i < n; i++)
      counts[config.evaluate('layout', 'prod', { user: { id: `u${i}` } }).variant!]!++;
    expect(counts.a! / n).toBeCloseTo(0.2, 2);
    expect(counts.b! / n).toBeCloseTo(0.3, 2);
    expect(counts.c! / n).toBeCloseTo(0.5, 2);
  });

  it('a prerequisite gates the dependent flag', () => {
    expect(config.evaluate('dependent', 'prod', { market: 'DE' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
    });
    expect(config.evaluate('dependent', 'prod', { market: 'UK' })).toMatchObject({
      value: false,
      reason: 'PREREQUISITE_FAILED',
    });
  });
});

describe('explain', () => {
  const { config } = compile(JSON.parse(ARTICLE));

  it('says why each rule did not match', () => {
    const x = config.explain('payments_v2', 'prod', { user: { id: 'p-3' }, brand: 5 });
    expect(x.result.reason).toBe('DEFAULT');
    expect(x.rules[0]!.notes[0]).toContain('missing');
    expect(x.rules[1]!.notes[0]).toContain('type mismatch');
  });

  it('shows the bucket and threshold of a rollout', () => {
    const x = config.explain('payments_v2', 'prod', { user: { id: 'p-3' }, market: 'DE' });
    expect(x.rules[0]).toMatchObject({ matched: true, threshold: 250_000 });
    expect(x.rules[0]!.bucket! < 250_000).toBe(x.result.reason === 'SPLIT');
  });

  it('agrees with evaluate on random contexts', () => {
    const ctx = fc.record(
      {
        user: fc.record(
          { id: fc.string({ maxLength: 6 }), isEmployee: fc.oneof(fc.boolean(), fc.constant('true')) },
          { requiredKeys: [] },
        ),
        market: fc.constantFrom('DE', 'SE', 'UK', 1),
        brand: fc.constantFrom('X', 'Y'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(ctx, (c) => {
        const x = config.explain('payments_v2', 'prod', c);
        const decided = x.rules.find((r) => r.decided);
        expect(decided?.index).toBe(x.result.ruleIndex);
        if (decided) expect(decided.matched).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('staleFlags', () => {
  it('lists flags past their TTL, most overdue first', () => {
    const { config } = compile({
      flags: [
        { key: 'old', expiresAt: '2026-01-01T00:00:00Z', owner: 'payments-team' },
        { key: 'older', expiresAt: '2025-06-01T00:00:00Z' },
        { key: 'fresh', expiresAt: '2027-01-01T00:00:00Z' },
        { key: 'forever', kind: 'permission', expiresAt: null },
        { key: 'created', kind: 'ops', createdAt: '2026-11-01T00:00:00Z' },
      ],
    });
    const stale = staleFlags(config.model, Date.parse('2026-11-27T00:00:00Z'));
    expect(stale.map((s) => s.key)).toEqual(['older', 'old', 'created']);
    expect(stale.find((s) => s.key === 'created')).toMatchObject({
      expiresAt: '2026-11-08T00:00:00.000Z',
      daysOverdue: 19,
    });
    expect(stale.find((s) => s.key === 'old')!.owner).toBe('payments-team');
  });
});
