import { describe, expect, it } from 'vitest';
import { compile, loadConfig } from '../index.js';

const errorsOf = (doc: unknown) => compile(doc).diagnostics.filter((d) => d.severity === 'error');

describe('loader diagnostics name flag, environment, rule and field', () => {
  it.each([
    [
      { flags: [{ key: 'f', rules: [{ if: 'true', rollout: 1.5 }] }] },
      'FLAG_INVALID_ROLLOUT',
      ['flags', 0, 'rules', 0, 'rollout'],
    ],
    [
      { flags: [{ key: 'f', environments: { prod: { rules: [{ if: 'x', rollout: -0.1 }] } } }] },
      'FLAG_INVALID_ROLLOUT',
      ['flags', 0, 'environments', 'prod', 'rules', 0, 'rollout'],
    ],
    [
      { flags: [{ key: 'f', rules: [{ if: 'true', rollot: 0.5 }] }] },
      'CONFIG_UNKNOWN_FIELD',
      ['flags', 0, 'rules', 0, 'rollot'],
    ],
    [{ flags: [{ key: 'f', killswitch: true }] }, 'CONFIG_UNKNOWN_FIELD', ['flags', 0, 'killswitch']],
    [{ flag: [] }, 'CONFIG_UNKNOWN_FIELD', ['flag']],
    [
      { flags: [{ key: 'f', environments: { prdo: {} } }] },
      'CONFIG_UNKNOWN_FIELD',
      ['flags', 0, 'environments', 'prdo'],
    ],
    [
      { flags: [{ key: 'f', environments: { prod: { enabeld: true } } }] },
      'CONFIG_UNKNOWN_FIELD',
      ['flags', 0, 'environments', 'prod', 'enabeld'],
    ],
    [{ flags: [{ key: 'f', kind: 'feature' }] }, 'CONFIG_TYPE', ['flags', 0, 'kind']],
    [{ flags: [{ key: 'has space' }] }, 'CONFIG_INVALID_KEY', ['flags', 0, 'key']],
    [{ flags: [{ rules: [] }] }, 'CONFIG_REQUIRED', ['flags', 0]],
    [{ flags: [{ key: 'f' }, { key: 'f' }] }, 'CONFIG_DUPLICATE_KEY', ['flags', 1]],
    [{ flags: [{ key: 'f', enabled: 'yes' }] }, 'CONFIG_TYPE', ['flags', 0, 'enabled']],
    [{ flags: [{ key: 'f', expiresAt: 'next week' }] }, 'CONFIG_INVALID_DATE', ['flags', 0, 'expiresAt']],
    [
      { flags: [{ key: 'f', variants: { a: 'x', b: 2 }, defaultVariant: 'a' }] },
      'FLAG_VARIANT_TYPE',
      ['flags', 0, 'variants', 'b'],
    ],
    [
      { flags: [{ key: 'f', defaultVariant: 'yes' }] },
      'FLAG_UNKNOWN_VARIANT',
      ['flags', 0, 'defaultVariant'],
    ],
    [
      { flags: [{ key: 'f', variants: { a: 1, b: 2 }, defaultVariant: 'a', rules: [{ if: 'true' }] }] },
      'FLAG_RULE_CONFLICT',
      ['flags', 0, 'rules', 0],
    ],
    [
      { flags: [{ key: 'f', rules: [{ split: { on: 0.5, off: 0.4 } }] }] },
      'FLAG_INVALID_SPLIT',
      ['flags', 0, 'rules', 0, 'split'],
    ],
    [
      { flags: [{ key: 'f', rules: [{ split: { on: 0.5, off: 0.5 }, rollout: 0.5 }] }] },
      'FLAG_RULE_CONFLICT',
      ['flags', 0, 'rules', 0],
    ],
    [
      { flags: [{ key: 'f', prerequisites: [{ flag: 'g' }] }] },
      'FLAG_UNKNOWN_PREREQUISITE',
      ['flags', 0, 'prerequisites', 0],
    ],
    [
      {
        flags: [
          { key: 'f', prerequisites: [{ flag: 'g' }] },
          { key: 'g', prerequisites: [{ flag: 'f' }] },
        ],
      },
      'FLAG_PREREQUISITE_CYCLE',
      ['flags', 0, 'prerequisites'],
    ],
    [
      { flags: [{ key: 'f', rules: [{ if: "market = 'DE'" }] }] },
      'EXPR_SYNTAX',
      ['flags', 0, 'rules', 0, 'if'],
    ],
    [{ segments: { s: 'segment("s")' }, flags: [] }, 'EXPR_SEGMENT_CYCLE', ['segments', 's', 'if']],
    [{ environments: [], flags: [] }, 'CONFIG_REQUIRED', ['environments']],
    [{ schemaVersion: 2, flags: [] }, 'CONFIG_TYPE', ['schemaVersion']],
    ['just a string', 'CONFIG_TYPE', []],
  ])('%j → %s', (doc, code, path) => {
    expect(errorsOf(doc)).toContainEqual(expect.objectContaining({ code, path }));
  });

  it('names flag, environment and rule of an impossible rollout', () => {
    const [d] = errorsOf({
      flags: [
        {
          key: 'payments_v2',
          environments: {
            prod: {
              rules: [
                { if: 'a', rollout: 0.1 },
                { if: 'b', rollout: 1.5 },
              ],
            },
          },
        },
      ],
    });
    expect(d).toMatchObject({
      flag: 'payments_v2',
      environment: 'prod',
      ruleIndex: 1,
      code: 'FLAG_INVALID_ROLLOUT',
    });
    expect(d!.message).toContain('1.5');
  });

  it('positions an expression error inside the expression', () => {
    const [d] = errorsOf({
      flags: [
        {
          key: 'f',
          environments: { prod: { rules: [{ if: 'a', rollout: 0.1 }, { if: "market in ['DE' 'SE']" }] } },
        },
      ],
    });
    expect(d).toMatchObject({ flag: 'f', environment: 'prod', ruleIndex: 1, line: 1, column: 17 });
    expect(d!.excerpt).toBe("market in ['DE' 'SE']\n                ^^^^");
  });

  it('suggests the intended field or environment', () => {
    expect(errorsOf({ flags: [{ key: 'f', rules: [{ if: 'x', rollot: 0.5 }] }] })[0]!.message).toContain(
      "did you mean 'rollout'",
    );
    expect(errorsOf({ flags: [{ key: 'f', environments: { prdo: {} } }] })[0]!.message).toContain(
      "did you mean 'prod'",
    );
  });

  it('reports every mistake of a document in one pass', () => {
    const errors = errorsOf({
      flags: [{ key: 'f', kind: 'x', rules: [{ if: 'a ==', rollout: 2 }], enabled: 1 }],
    });
    expect(errors.map((d) => d.code).sort()).toEqual([
      'CONFIG_TYPE',
      'CONFIG_TYPE',
      'EXPR_SYNTAX',
      'FLAG_INVALID_ROLLOUT',
    ]);
  });
});

describe('loaded configs', () => {
  it('load again to themselves', () => {
    const doc = {
      environments: ['dev', 'prod'],
      segments: { employees: 'user.isEmployee' },
      flags: {
        payments_v2: {
          rules: [{ if: "segment('employees')" }],
          environments: { prod: { killSwitch: true } },
          createdAt: '2026-11-01',
        },
        layout: {
          kind: 'experiment',
          variants: { a: 1, b: 2 },
          defaultVariant: 'a',
          rules: [{ split: { a: 0.5, b: 0.5 } }],
          expiresAt: '2027-01-01',
        },
      },
    };
    const once = loadConfig(doc);
    expect(once.diagnostics).toEqual([]);
    const twice = loadConfig(JSON.parse(JSON.stringify(once.config)));
    expect(twice.diagnostics).toEqual([]);
    expect(twice.config).toEqual(once.config);
  });

  it('default the TTL from createdAt by kind', () => {
    const { config } = loadConfig({
      flags: [
        { key: 'r', createdAt: '2026-11-01T00:00:00Z' },
        { key: 'o', kind: 'ops', createdAt: '2026-11-01T00:00:00Z' },
        { key: 'p', kind: 'permission', createdAt: '2026-11-01T00:00:00Z' },
      ],
    });
    expect(config.flags.map((f) => f.expiresAt)).toEqual([
      '2026-12-11T00:00:00.000Z',
      '2026-11-08T00:00:00.000Z',
      null,
    ]);
  });

  it('warn about release flags with no TTL and about expired flags', () => {
    const { diagnostics } = loadConfig(
      { flags: [{ key: 'a' }, { key: 'b', expiresAt: '2020-01-01' }] },
      { now: Date.parse('2026-11-27') },
    );
    expect(diagnostics.map((d) => [d.severity, d.code, d.flag])).toEqual([
      ['warning', 'FLAG_TTL_MISSING', 'a'],
      ['warning', 'FLAG_EXPIRED', 'b'],
    ]);
  });
});

describe('loader regressions', () => {
  it('reports a prerequisite shared by all environments once, naming the flag', () => {
    const errors = errorsOf({ flags: [{ key: 'f', prerequisites: [{ flag: 'g' }], rulez: [] }] });
    expect(errors.map((d) => [d.code, d.flag])).toEqual([
      ['CONFIG_UNKNOWN_FIELD', 'f'],
      ['FLAG_UNKNOWN_PREREQUISITE', 'f'],
    ]);
  });

  it('locates a prerequisite written in one environment there', () => {
    const [d] = errorsOf({
      flags: [{ key: 'f', environments: { prod: { prerequisites: [{ flag: 'g' }] } } }],
    });
    expect(d).toMatchObject({
      environment: 'prod',
      path: ['flags', 0, 'environments', 'prod', 'prerequisites', 0],
    });
  });

  it('a map entry cannot rename itself with an inner key', () => {
    expect(errorsOf({ flags: { a: { key: 'b' } } })).toContainEqual(
      expect.objectContaining({ code: 'CONFIG_INVALID_KEY', path: ['flags', 'a', 'key'] }),
    );
    expect(errorsOf({ flags: { 'bad key!': {} } })).toContainEqual(
      expect.objectContaining({ code: 'CONFIG_INVALID_KEY' }),
    );
    expect(errorsOf({ flags: { a: { key: 'a' } } })).toEqual([]);
  });

  it.each([
    '2026-02-31',
    '2026-02-29T00:00:00Z',
    '2026-04-31',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:61:00Z',
  ])('an impossible date %s is refused, not rolled over', (date) => {
    expect(errorsOf({ flags: [{ key: 'f', expiresAt: date }] })).toContainEqual(
      expect.objectContaining({ code: 'CONFIG_INVALID_DATE' }),
    );
    expect(errorsOf({ flags: [{ key: 'f', rules: [{ if: `now() >= '${date}'` }] }] })).toContainEqual(
      expect.objectContaining({ code: 'EXPR_INVALID_TIME' }),
    );
  });

  it('accepts 29 February in a leap year', () => {
    expect(errorsOf({ flags: [{ key: 'f', expiresAt: '2028-02-29' }] })).toEqual([]);
  });
});

describe('bare documents', () => {
  it('report paths of the document as written, not of the config it is wrapped in', () => {
    const single = errorsOf({ feature: 'f', rules: [{ if: 'a ==' }, { if: 'b', rollout: 2 }] });
    expect(single.map((d) => d.path)).toEqual([
      ['rules', 1, 'rollout'],
      ['rules', 0, 'if'],
    ]);
    const list = errorsOf([{ key: 'a' }, { key: 'b', kind: 'nope' }]);
    expect(list.map((d) => d.path)).toEqual([[1, 'kind']]);
  });
});
