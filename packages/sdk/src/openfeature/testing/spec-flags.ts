/**
 * The OpenFeature specification's test flags (`specification/assets/gherkin/test-flags.json` in open-feature/spec,
 * the flags its `evaluation.feature` and `evaluation_v2.feature` scenarios read) in Pitboss's flag model, for
 * environment `prod`. flagd's `contextEvaluator` becomes a Pitboss rule serving one variant to every matching unit
 * (reason TARGETING_MATCH); its `defaultVariant` is Pitboss's `defaultVariant`. The `*-disabled-flag`s are off in
 * `prod`, serving an off variant equal to the scenarios' caller default.
 */
const template = { showImages: true, title: 'Check out these pics!', imagesPerPage: 100 };
const zeroes = {
  boolean: [false, true],
  string: ['', 'str'],
  integer: [0, 1],
  float: [0.0, 1.0],
  object: [{}, template],
} as const;
const ballmer = "email == 'ballmer@macrosoft.com'";

export const SPEC_FLAGS = {
  schemaVersion: 1,
  environments: ['prod'],
  flags: [
    { key: 'boolean-flag', variants: { on: true, off: false }, defaultVariant: 'on' },
    { key: 'string-flag', variants: { greeting: 'hi', parting: 'bye' }, defaultVariant: 'greeting' },
    { key: 'integer-flag', variants: { one: 1, ten: 10 }, defaultVariant: 'ten' },
    { key: 'float-flag', variants: { tenth: 0.1, half: 0.5 }, defaultVariant: 'half' },
    { key: 'object-flag', variants: { empty: {}, template }, defaultVariant: 'template' },
    { key: 'wrong-flag', variants: { one: 'uno', two: 'dos' }, defaultVariant: 'one' },
    {
      key: 'context-aware',
      variants: { internal: 'INTERNAL', external: 'EXTERNAL' },
      defaultVariant: 'external',
      // flagd's `!customer`: a missing `customer` is no match in Pitboss (missing compares false), as in flagd.
      rules: [{ if: 'customer == false', variant: 'internal' }],
    },
    ...Object.entries(zeroes).flatMap(([type, [zero, nonZero]]) => [
      { key: `${type}-zero-flag`, variants: { zero, 'non-zero': nonZero }, defaultVariant: 'zero' },
      {
        key: `${type}-targeted-zero-flag`,
        variants: { zero, 'non-zero': nonZero },
        defaultVariant: 'zero',
        rules: [{ if: ballmer, variant: 'zero' }],
      },
    ]),
    {
      key: 'boolean-disabled-flag',
      variants: { on: true, off: false },
      defaultVariant: 'on',
      environments: { prod: { enabled: false } },
    },
    {
      key: 'string-disabled-flag',
      variants: { greeting: 'hi', parting: 'bye' },
      defaultVariant: 'greeting',
      offVariant: 'parting',
      environments: { prod: { enabled: false } },
    },
  ],
};
