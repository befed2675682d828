/**
 * Documents the rollout tests share: a template measuring the canary's success ratio against the baseline, and
 * a rollout walking 5 % → analysis → 50 % → a timed pause → 100 %.
 */
export function successTemplate(
  overrides: Record<string, unknown> = {},
  name = 'success-rate',
): Record<string, unknown> {
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'AnalysisTemplate',
    metadata: { name },
    spec: {
      metrics: [
        {
          name: 'success',
          interval: '30s',
          count: 2,
          successCondition: 'result >= 0.99',
          provider: {
            builtin: { query: 'success_ratio{service="{{args.service}}",version="{{version}}"}[1m]' },
          },
          ...overrides,
        },
      ],
    },
  };
}

export function walletRollout(
  steps: unknown[] = [
    { setWeight: 5 },
    { analysis: { templates: [{ templateName: 'success-rate' }] } },
    { setWeight: 50 },
    { pause: { duration: '1m' } },
  ],
  name = 'wallet',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      service: 'wallet',
      stable: { version: 'v1', upstreams: ['http://127.0.0.1:9001'] },
      canary: { version: 'v2', upstreams: ['http://127.0.0.1:9002'] },
      strategy: { canary: { steps } },
      ...extra,
    },
  };
}
