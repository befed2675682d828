import { existsSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type DiagnosticCode, hasErrors } from '../diagnostics.js';
import { loadConfig } from './load-config.js';

/**
 * The JSON schema (editor tooltips and validation) and the loader (what Pitboss actually accepts) describe the
 * same documents twice, so they drift unless a test pins them together: every structural case below must get
 * the same verdict from both. The loader stays the authority; the schema's description lists what it leaves to
 * the loader, and the last block below pins that boundary.
 */

const SCHEMA_URL = new URL('../../schema/pitboss-config.schema.json', import.meta.url);
const REPO_ROOT = new URL('../../../../', import.meta.url);
const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));

// strictRequired is off: the schema's discriminators say "has key, has no flags" with `required` inside
// `if`/`not`, where declaring the properties again would only add noise. Everything else is strict.
// `.default`: ajv is CommonJS; under NodeNext typing the default import is the module, and at run time the
// class carries itself as `.default`, so this spelling is right for both.
const ajv = new Ajv2020.default({
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  allErrors: true,
});
const validate = ajv.compile(schema);

function schemaVerdict(doc: unknown): { valid: boolean; errors: string } {
  const valid = validate(doc) === true;
  return { valid, errors: ajv.errorsText(validate.errors) };
}

function loaderErrors(doc: unknown): DiagnosticCode[] {
  // `now: 0`: expiry warnings must not depend on the day the test runs (they are warnings anyway).
  const { diagnostics } = loadConfig(doc, { now: 0 });
  return hasErrors(diagnostics) ? diagnostics.filter((d) => d.severity === 'error').map((d) => d.code) : [];
}

/** The seed article's JSON, verbatim: it must load and validate as written. */
const ARTICLE = `{"feature": "payments_v2", "rules": [{"if": "market in ['DE','SE']", "rollout": 0.25}, {"if": "brand == 'X' && user.isEmployee", "rollout": 1.0}], "kill_switch": false}`;

/** A config using every structural feature: custom environments, both segment forms, flag maps and lists. */
const FULL_CONFIG = {
  schemaVersion: 1,
  environments: ['dev', 'staging', 'prod-eu', 'prod-uk'],
  segments: {
    employees: 'user.isEmployee',
    nordics: { if: "market in ['SE', 'NO', 'DK', 'FI']", description: 'Nordic markets' },
  },
  flags: {
    payments_v2: {
      kind: 'release',
      description: 'New payments flow',
      owner: 'team-payments',
      tags: ['payments', 'q4'],
      protected: true,
      createdAt: '2026-11-01T09:00:00Z',
      stickiness: 'user.id',
      rules: [
        { if: "segment('employees')", description: 'dogfood' },
        { if: "market in ['DE','SE']", rollout: 0.25 },
      ],
      environments: {
        dev: { rules: [{ rollout: 1 }] },
        'prod-uk': { enabled: false },
        'prod-eu': { kill_switch: false, prerequisites: [{ flag: 'checkout-theme', variant: 'dark' }] },
      },
    },
    'checkout-theme': {
      kind: 'experiment',
      expiresAt: '2026-12-31',
      variants: { light: 'light', dark: 'dark' },
      defaultVariant: 'light',
      offVariant: 'light',
      salt: 'theme-2026',
      rules: [
        { if: "segment('nordics')", split: { light: 0.5, dark: 0.5 } },
        { variant: 'dark', rollout: 0.1 },
      ],
    },
    'limits.v1': {
      kind: 'permission',
      expiresAt: null,
      valueType: 'object',
      variants: { base: { maxBet: 100 }, vip: { maxBet: 10000, tables: ['a', 'b'] }, list: [1, 2] },
      rules: [{ if: 'user.vip == true', variant: 'vip' }],
      defaultVariant: 'base',
    },
  },
};

const flag = (extra: Record<string, unknown>) => ({ key: 'f', kind: 'ops', ...extra });
const rule = (extra: Record<string, unknown>) => flag({ rules: [extra] });
const env = (extra: Record<string, unknown>) => flag({ environments: { prod: extra } });

// [case, document, expected]: `true` = valid for both; a code = both reject it, the loader with that code.
const cases: [string, unknown, true | DiagnosticCode][] = [
  // Accepted shapes.
  ['seed article verbatim', JSON.parse(ARTICLE), true],
  ['full multi-environment config', FULL_CONFIG, true],
  ['single flag with key', flag({}), true],
  ['list of flags', [flag({}), { feature: 'g', kind: 'ops' }], true],
  ['empty config (the loader needs no flags)', {}, true],
  [
    'config with flags list and segments list',
    { segments: [{ key: 's', if: 'true' }], flags: [flag({})] },
    true,
  ],
  ['rollout 0 and 1 are the bounds', flag({ rules: [{ rollout: 0 }, { rollout: 1 }] }), true],
  ['number variants', flag({ variants: { on: 1, off: 0 } }), true],
  [
    'lists and objects are one JSON type',
    flag({ variants: { a: [1], b: { x: 1 } }, rules: [{ variant: 'a' }] }),
    true,
  ],
  [
    'prerequisite variant defaults to on',
    [flag({ prerequisites: [{ flag: 'g' }] }), { key: 'g', kind: 'ops' }],
    true,
  ],
  ['expiresAt date only / null', [flag({ expiresAt: '2030-01-01' }), { key: 'g', expiresAt: null }], true],
  ['env override with kill_switch alias', env({ kill_switch: true, enabled: false }), true],
  ['100 % rollout written 1.0', rule({ rollout: 1.0 }), true],

  // Unknown fields, one per level.
  ['unknown field in config', { flags: [], flagz: [] }, 'CONFIG_UNKNOWN_FIELD'],
  ['unknown field in flag', flag({ rulez: [] }), 'CONFIG_UNKNOWN_FIELD'],
  [
    'unknown field in flag of a map',
    { flags: { f: { kind: 'ops', owner: 'x', onwer: 'y' } } },
    'CONFIG_UNKNOWN_FIELD',
  ],
  ['unknown field in environment', env({ enabled: true, rollout: 0.5 }), 'CONFIG_UNKNOWN_FIELD'],
  ['unknown field in rule', rule({ if: 'true', rolout: 0.5 }), 'CONFIG_UNKNOWN_FIELD'],
  [
    'unknown field in segment (list)',
    { segments: [{ key: 's', if: 'true', desc: '' }] },
    'CONFIG_UNKNOWN_FIELD',
  ],
  ['unknown field in segment (map)', { segments: { s: { if: 'true', note: '' } } }, 'CONFIG_UNKNOWN_FIELD'],
  [
    'unknown field in prerequisite',
    [flag({ prerequisites: [{ flag: 'g', when: 'x' }] }), flag({ key: 'g' })],
    'CONFIG_UNKNOWN_FIELD',
  ],
  ['flag field at config level', { flags: [], key: 'x' }, 'CONFIG_UNKNOWN_FIELD'],
  ['flag fields without a key make a config', { kind: 'ops', rules: [] }, 'CONFIG_UNKNOWN_FIELD'],

  // Ranges.
  ['rollout 1.5', rule({ rollout: 1.5 }), 'FLAG_INVALID_ROLLOUT'],
  ['rollout -0.1', rule({ rollout: -0.1 }), 'FLAG_INVALID_ROLLOUT'],
  ['rollout 25 (a percentage)', rule({ rollout: 25 }), 'FLAG_INVALID_ROLLOUT'],
  ['split weight 1.5', rule({ split: { on: 1.5, off: -0.5 } }), 'FLAG_INVALID_SPLIT'],
  ['split weight -0.1', rule({ split: { on: 1.1, off: -0.1 } }), 'FLAG_INVALID_SPLIT'],
  ['split weight as a string', rule({ split: { on: '0.5', off: 0.5 } }), 'FLAG_INVALID_SPLIT'],
  ['empty split', rule({ split: {} }), 'FLAG_INVALID_SPLIT'],
  ['split and rollout together', rule({ split: { on: 1 }, rollout: 0.5 }), 'FLAG_RULE_CONFLICT'],
  ['split and variant together', rule({ split: { on: 1 }, variant: 'on' }), 'FLAG_RULE_CONFLICT'],

  // Wrong types.
  ['document is a string', 'payments_v2', 'CONFIG_TYPE'],
  ['document is null', null, 'CONFIG_TYPE'],
  ['schemaVersion 2', { schemaVersion: 2, flags: [] }, 'CONFIG_TYPE'],
  ["schemaVersion '1'", { schemaVersion: '1', flags: [] }, 'CONFIG_TYPE'],
  ['environments as a string', { environments: 'prod', flags: [] }, 'CONFIG_TYPE'],
  ['environments empty', { environments: [], flags: [] }, 'CONFIG_REQUIRED'],
  ['environments listed twice', { environments: ['prod', 'prod'], flags: [] }, 'CONFIG_DUPLICATE_KEY'],
  ['flags as a string', { flags: 'payments_v2' }, 'CONFIG_TYPE'],
  ['flag entry as a string', { flags: { f: 'on' } }, 'CONFIG_TYPE'],
  ['flag in a list as a string', ['payments_v2'], 'CONFIG_TYPE'],
  ['segments as a string', { segments: 'user.isEmployee' }, 'CONFIG_TYPE'],
  ['segment if as a number', { segments: { s: { if: 1 } } }, 'CONFIG_TYPE'],
  ['segment entry as a number', { segments: { s: 1 } }, 'CONFIG_TYPE'],
  ['segment without if', { segments: [{ key: 's' }] }, 'CONFIG_REQUIRED'],
  ["rollout '0.5' (a string)", rule({ rollout: '0.5' }), 'CONFIG_TYPE'],
  ['rollout null', rule({ rollout: null }), 'CONFIG_TYPE'],
  ['rule if as a boolean', rule({ if: true }), 'CONFIG_TYPE'],
  ['rule as a string', flag({ rules: ["market == 'DE'"] }), 'CONFIG_TYPE'],
  ['rules as an object', flag({ rules: { if: 'true' } }), 'CONFIG_TYPE'],
  ["enabled 'yes'", flag({ enabled: 'yes' }), 'CONFIG_TYPE'],
  ['killSwitch 1', flag({ killSwitch: 1 }), 'CONFIG_TYPE'],
  ["kill_switch 'false'", flag({ kill_switch: 'false' }), 'CONFIG_TYPE'],
  ["protected 'true'", flag({ protected: 'true' }), 'CONFIG_TYPE'],
  ['description as a number', flag({ description: 1 }), 'CONFIG_TYPE'],
  ['tags as a string', flag({ tags: 'payments' }), 'CONFIG_TYPE'],
  ['tag as a number', flag({ tags: [1] }), 'CONFIG_TYPE'],
  ['salt as a number', flag({ salt: 5 }), 'CONFIG_TYPE'],
  ['stickiness with a space', flag({ stickiness: 'user id' }), 'CONFIG_TYPE'],
  ['stickiness with a trailing dot', flag({ stickiness: 'user.' }), 'CONFIG_TYPE'],
  ["valueType 'int'", flag({ valueType: 'int' }), 'FLAG_VARIANT_TYPE'],
  ['variants as a list', flag({ variants: [true, false] }), 'CONFIG_TYPE'],
  ['variants empty', flag({ variants: {} }), 'CONFIG_TYPE'],
  ['variant null', flag({ variants: { on: true, off: null } }), 'FLAG_VARIANT_TYPE'],
  ['variants of mixed types', flag({ variants: { on: true, off: 'no' } }), 'FLAG_VARIANT_TYPE'],
  ['expiresAt as a number', flag({ expiresAt: 0 }), 'CONFIG_TYPE'],
  ["expiresAt 'next week'", flag({ expiresAt: 'next week' }), 'CONFIG_INVALID_DATE'],
  ['createdAt without a zone', flag({ createdAt: '2026-11-01T09:00:00' }), 'CONFIG_INVALID_DATE'],
  ['createdAt null', flag({ createdAt: null }), 'CONFIG_TYPE'],
  ['environment override null', env(null as unknown as Record<string, unknown>), 'CONFIG_TYPE'],
  ['environments override as a list', flag({ environments: [{ enabled: true }] }), 'CONFIG_TYPE'],
  ['env enabled as a string', env({ enabled: 'false' }), 'CONFIG_TYPE'],
  ['prerequisites as an object', flag({ prerequisites: { flag: 'g' } }), 'CONFIG_TYPE'],
  ['prerequisite without flag', flag({ prerequisites: [{ variant: 'on' }] }), 'CONFIG_REQUIRED'],
  ['defaultVariant as a boolean', flag({ defaultVariant: true }), 'CONFIG_TYPE'],

  // Key shapes: 1–128 of [A-Za-z0-9_.-], starting with a letter or digit.
  ['empty key', flag({ key: '' }), 'CONFIG_INVALID_KEY'],
  ['key starting with -', flag({ key: '-x' }), 'CONFIG_INVALID_KEY'],
  ['key with a space', flag({ key: 'payments v2' }), 'CONFIG_INVALID_KEY'],
  ['key of 129 characters', flag({ key: 'k'.repeat(129) }), 'CONFIG_INVALID_KEY'],
  ['key as a number', flag({ key: 42 }), 'CONFIG_TYPE'],
  ['feature with a non-ASCII letter', { feature: 'zahlungen_ä' }, 'CONFIG_INVALID_KEY'],
  ['flag map key with a space', { flags: { 'bad key': { kind: 'ops' } } }, 'CONFIG_INVALID_KEY'],
  ['variant name with a space', flag({ variants: { 'dark mode': true, off: false } }), 'CONFIG_INVALID_KEY'],
  ['environment name with !', { environments: ['prod!'], flags: [] }, 'CONFIG_INVALID_KEY'],
  ['segment key starting with _', { segments: [{ key: '_s', if: 'true' }] }, 'CONFIG_INVALID_KEY'],
  ['segment map key with a slash', { segments: { 'a/b': 'true' } }, 'CONFIG_INVALID_KEY'],
  ['prerequisite flag with a space', flag({ prerequisites: [{ flag: 'g h' }] }), 'CONFIG_INVALID_KEY'],
  ['key of 128 characters is fine', flag({ key: `a${'-'.repeat(127)}` }), true],

  // Kinds, aliases, environments.
  ["kind 'rollout'", flag({ kind: 'rollout' }), 'CONFIG_TYPE'],
  ["kind 'Release' (case matters)", flag({ kind: 'Release' }), 'CONFIG_TYPE'],
  ['both key and feature', { key: 'f', feature: 'f' }, 'CONFIG_DUPLICATE_KEY'],
  ['both killSwitch and kill_switch', flag({ killSwitch: true, kill_switch: true }), 'CONFIG_DUPLICATE_KEY'],
  ['both spellings in an environment', env({ killSwitch: true, kill_switch: true }), 'CONFIG_DUPLICATE_KEY'],
  ['feature inside a flag map entry', { flags: { f: { feature: 'f' } } }, 'CONFIG_DUPLICATE_KEY'],
  ['flag without key in a list', [{ kind: 'ops' }], 'CONFIG_REQUIRED'],
  [
    "default environments: no 'production'",
    flag({ environments: { production: {} } }),
    'CONFIG_UNKNOWN_FIELD',
  ],
  [
    "config without environments: no 'qa'",
    { flags: { f: { environments: { qa: {} } } } },
    'CONFIG_UNKNOWN_FIELD',
  ],
];

describe('pitboss-config.schema.json', () => {
  it('compiles under ajv strict mode against the 2020-12 meta-schema', () => {
    expect(ajv.validateSchema(schema)).toBe(true);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('describes every property (descriptions feed editor tooltips)', () => {
    const missing: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const o = node as Record<string, unknown>;
      if (typeof o.properties === 'object' && o.properties !== null) {
        for (const [name, sub] of Object.entries(o.properties)) {
          if (typeof (sub as { description?: unknown }).description !== 'string')
            missing.push(`${at}/properties/${name}`);
        }
      }
      for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
  });

  it('lists the same flag, environment and rule fields as the loader', () => {
    // Mirrors FLAG_FIELDS / ENV_FIELDS / RULE_FIELDS in load-flag.ts (plus the aliases); they are module-private,
    // so the lists are restated here: a field added to one side only fails this test.
    const envFields = [
      'enabled',
      'killSwitch',
      'kill_switch',
      'rules',
      'defaultVariant',
      'offVariant',
      'prerequisites',
    ];
    const flagFields = [
      ...['key', 'feature', 'kind', 'description', 'owner', 'tags', 'protected', 'createdAt', 'expiresAt'],
      ...['variants', 'stickiness', 'salt', 'valueType', 'environments', ...envFields],
    ];
    const keys = (def: string) => Object.keys(schema.$defs[def].properties).sort();
    expect(keys('flag')).toEqual([...flagFields].sort());
    expect(keys('flagEntry')).toEqual(flagFields.filter((f) => f !== 'feature').sort());
    expect(keys('environmentOverride')).toEqual([...envFields].sort());
    expect(keys('rule')).toEqual(['if', 'rollout', 'variant', 'split', 'description'].sort());
    expect(keys('config')).toEqual(['schemaVersion', 'environments', 'segments', 'flags'].sort());
  });
});

describe('schema and loader agree on structure', () => {
  it.each(cases)('%s', (_name, doc, expected) => {
    const schemaResult = schemaVerdict(doc);
    const errors = loaderErrors(doc);
    expect(schemaResult.valid, `schema: ${schemaResult.errors}`).toBe(expected === true);
    if (expected === true) expect(errors).toEqual([]);
    else expect(errors).toContain(expected);
  });
});

/**
 * What JSON Schema cannot say, the loader (and, for expressions, the compiler) still catches: these documents
 * are structurally valid, so the schema accepts them, and loading reports the listed error.
 */
describe('left to the loader (schema-valid, loader-rejected)', () => {
  const semantic: [string, unknown, DiagnosticCode][] = [
    ['split not adding up to 1', rule({ split: { on: 0.5, off: 0.4 } }), 'FLAG_INVALID_SPLIT'],
    ['rule naming an unknown variant', rule({ variant: 'onn' }), 'FLAG_UNKNOWN_VARIANT'],
    ['defaultVariant naming an unknown variant', flag({ defaultVariant: 'maybe' }), 'FLAG_UNKNOWN_VARIANT'],
    ['split naming an unknown variant', rule({ split: { on: 0.5, of: 0.5 } }), 'FLAG_UNKNOWN_VARIANT'],
    [
      'rule without outcome, flag without on',
      flag({ variants: { a: 'a' }, rules: [{}] }),
      'FLAG_RULE_CONFLICT',
    ],
    ['valueType not matching the variants', flag({ valueType: 'string' }), 'FLAG_VARIANT_TYPE'],
    ['the same flag key twice', [flag({}), flag({})], 'CONFIG_DUPLICATE_KEY'],
    [
      'the same segment key twice',
      {
        segments: [
          { key: 's', if: 'a' },
          { key: 's', if: 'b' },
        ],
      },
      'CONFIG_DUPLICATE_KEY',
    ],
    [
      'prerequisite on a missing flag',
      flag({ prerequisites: [{ flag: 'nope' }] }),
      'FLAG_UNKNOWN_PREREQUISITE',
    ],
    [
      'prerequisite cycle',
      [flag({ prerequisites: [{ flag: 'g' }] }), flag({ key: 'g', prerequisites: [{ flag: 'f' }] })],
      'FLAG_PREREQUISITE_CYCLE',
    ],
    [
      'override of an environment not in the list',
      { environments: ['prod'], flags: { f: { environments: { dev: {} } } } },
      'CONFIG_UNKNOWN_FIELD',
    ],
    ['a month that does not exist', flag({ createdAt: '2026-13-01' }), 'CONFIG_INVALID_DATE'],
  ];
  it.each(semantic)('%s', (_name, doc, code) => {
    expect(schemaVerdict(doc).valid).toBe(true);
    expect(loaderErrors(doc)).toContain(code);
  });

  it('expressions are checked by neither schema nor loader, only by compile', () => {
    const doc = rule({ if: "market = 'DE'" });
    expect(schemaVerdict(doc).valid).toBe(true);
    expect(loaderErrors(doc)).toEqual([]);
  });
});

/** Loader gaps found while pinning the schema to it, fixed since: regression tests. */
describe('loader regressions', () => {
  it('a segment in a list without a key is reported, not silently dropped', () => {
    const doc = { segments: [{ if: 'user.isEmployee' }] };
    expect(schemaVerdict(doc).valid).toBe(false);
    expect(loaderErrors(doc)).toContain('CONFIG_REQUIRED');
  });
});

describe('examples at the repository root validate', () => {
  const flagsYaml = new URL('examples/flags.yaml', REPO_ROOT);
  const articleJson = new URL('examples/article.json', REPO_ROOT);

  it.skipIf(!existsSync(flagsYaml))('examples/flags.yaml', () => {
    const doc = parseYaml(readFileSync(flagsYaml, 'utf8'));
    const result = schemaVerdict(doc);
    expect(result.valid, result.errors).toBe(true);
    expect(loaderErrors(doc)).toEqual([]);
  });

  it.skipIf(!existsSync(articleJson))('examples/article.json', () => {
    const doc = JSON.parse(readFileSync(articleJson, 'utf8'));
    const result = schemaVerdict(doc);
    expect(result.valid, result.errors).toBe(true);
    expect(loaderErrors(doc)).toEqual([]);
  });
});
