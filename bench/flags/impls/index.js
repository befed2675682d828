// The implementations in the flag benchmark, in table order. Modules are only imported inside their own
// child process (see ../worker.js), so a missing or broken package affects just its own row.
export const IMPLS = [
  { name: 'pitboss', module: './pitboss.js' },
  { name: 'pitboss-sdk', module: './pitboss-sdk.js' },
  { name: 'hand-written', module: './hand-written.js' },
  { name: 'unleash-client', module: './unleash.js' },
  { name: 'launchdarkly', module: './launchdarkly.js' },
  { name: 'growthbook', module: './growthbook.js' },
  { name: 'flagd-core', module: './flagd.js' },
  { name: 'json-logic-js', module: './json-logic.js' },
];

export const REFERENCE = 'pitboss';
export const BASELINE = 'hand-written';
