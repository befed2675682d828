import type { EvaluationContext, JsonValue } from '@openfeature/core';

/**
 * The value scenarios of the OpenFeature specification's gherkin suites (`evaluation.feature`, deprecated, and
 * `evaluation_v2.feature`), one row per example, for the flags in `spec-flags.ts`. `reason` is what Pitboss
 * answers; `specReason` is set where the suite expects another reason (see docs/sdk.md, OpenFeature section).
 * Scenarios about provider status, hooks and immutability are written out in the test itself.
 */
export type SpecType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

export interface SpecScenario {
  readonly scenario: string;
  readonly type: SpecType;
  readonly key: string;
  readonly defaultValue: boolean | string | number | JsonValue;
  readonly context?: EvaluationContext;
  readonly value: unknown;
  readonly variant?: string;
  readonly reason: string;
  readonly specReason?: string;
  readonly errorCode?: string;
}

const template = { showImages: true, title: 'Check out these pics!', imagesPerPage: 100 };
const macrosoft = { email: 'ballmer@macrosoft.com' };

/** `Resolve values`, `Complete evaluation details structure`, `Variant field population`, `Structure flag`. */
const basics: SpecScenario[] = [
  ['Boolean', 'boolean-flag', false, true, 'on'],
  ['String', 'string-flag', 'bye', 'hi', 'greeting'],
  ['Integer', 'integer-flag', 1, 10, 'ten'],
  ['Float', 'float-flag', 0.1, 0.5, 'half'],
  ['Object', 'object-flag', {}, template, 'template'],
].map(([type, key, defaultValue, value, variant]) => ({
  scenario: 'Resolve values / complete details / variant field',
  type: type as SpecType,
  key: key as string,
  defaultValue: defaultValue as JsonValue,
  value,
  variant: variant as string,
  reason: 'DEFAULT',
  specReason: 'STATIC',
}));

const zeroRows: [SpecType, string, JsonValue, JsonValue][] = [
  ['Boolean', 'boolean', true, false],
  ['String', 'string', 'hi', ''],
  ['Integer', 'integer', 1, 0],
  ['Float', 'float', 0.1, 0.0],
  ['Object', 'object', { a: 1 }, {}],
];

/** `Resolves zero value`, `... with targeting`, `... with targeting using default`, `Empty` / `Null context`. */
const zeroes: SpecScenario[] = zeroRows.flatMap(([type, prefix, defaultValue, value]) => [
  {
    scenario: 'Resolves zero value',
    type,
    key: `${prefix}-zero-flag`,
    defaultValue,
    value,
    variant: 'zero',
    reason: 'DEFAULT',
    specReason: 'STATIC',
  },
  ...(
    [
      ['Resolves zero value with targeting', macrosoft, 'TARGETING_MATCH'],
      ['Resolves zero value with targeting using default', { email: 'ballmer@none.com' }, 'DEFAULT'],
      ['Empty evaluation context', {}, 'DEFAULT'],
      ['Null context values', { email: null }, 'DEFAULT'],
    ] as const
  ).map(([scenario, context, reason]) => ({
    scenario,
    type,
    key: `${prefix}-targeted-zero-flag`,
    defaultValue,
    context,
    value,
    variant: 'zero',
    reason,
  })),
]);

const errors: SpecScenario[] = [
  ...zeroRows.map(([type, , defaultValue]) => ({
    scenario: 'Flag not found error',
    type,
    key: 'non-existent-flag',
    defaultValue,
    value: defaultValue,
    reason: 'ERROR',
    errorCode: 'FLAG_NOT_FOUND',
  })),
  ...(
    [
      ['Type mismatch error', 'String', 'boolean-flag', 'bye'],
      ['Type mismatch error', 'Boolean', 'string-flag', false],
      ['Type mismatch error', 'Integer', 'string-flag', 1],
      ['Type mismatch error', 'Object', 'string-flag', {}],
      ['Type error (evaluation.feature)', 'Integer', 'wrong-flag', 13],
      ['Default value type validation', 'Integer', 'boolean-flag', 1],
      ['Default value type validation', 'Float', 'boolean-flag', 0.1],
    ] as const
  ).map(([scenario, type, key, defaultValue]) => ({
    scenario,
    type,
    key,
    defaultValue,
    value: defaultValue,
    reason: 'ERROR',
    errorCode: 'TYPE_MISMATCH',
  })),
];

const targeting: SpecScenario[] = [
  {
    scenario: 'Multiple context attributes targeting',
    type: 'String',
    key: 'context-aware',
    defaultValue: 'false',
    context: { ...macrosoft, role: 'admin', age: 65, customer: false },
    value: 'INTERNAL',
    variant: 'internal',
    reason: 'TARGETING_MATCH',
  },
  {
    scenario: 'Resolves based on context (evaluation.feature)',
    type: 'String',
    key: 'context-aware',
    defaultValue: 'EXTERNAL',
    context: { fn: 'Sulisław', ln: 'Świętopełk', age: 29, customer: false },
    value: 'INTERNAL',
    variant: 'internal',
    reason: 'TARGETING_MATCH',
  },
  {
    scenario: 'Resolves based on context, empty context (evaluation.feature)',
    type: 'String',
    key: 'context-aware',
    defaultValue: 'EXTERNAL',
    value: 'EXTERNAL',
    variant: 'external',
    reason: 'DEFAULT',
  },
  {
    scenario: 'DISABLED reason',
    type: 'Boolean',
    key: 'boolean-disabled-flag',
    defaultValue: false,
    value: false,
    variant: 'off',
    reason: 'DISABLED',
  },
  {
    scenario: 'DISABLED reason',
    type: 'String',
    key: 'string-disabled-flag',
    defaultValue: 'bye',
    value: 'bye',
    variant: 'parting',
    reason: 'DISABLED',
  },
];

export const SPEC_SCENARIOS: readonly SpecScenario[] = [...basics, ...zeroes, ...errors, ...targeting];
