import type { ProviderSpec } from '../analysis/analysis-template.js';
import { measure } from '../analysis/measure.js';
import type { Measurement } from '../analysis/measurement.js';
import type { MetricProvider } from '../analysis/provider.js';
import { dueMeasurements } from './controller/step.js';
import type { Observations } from './rollout-state.js';
import type { StoredRollout } from './rollout-store.js';

/**
 * Every metric due now, measured at once, each bounded by `timeoutMs`: canary against the stable version as
 * baseline, `{{window}}` from the start of its analysis run. Never throws: a failure is an `error` measurement,
 * and the analysis decides what it means (a provider outage pauses, it never aborts by itself).
 */
export async function measureDue(
  stored: StoredRollout,
  now: Date,
  providers: (kind: ProviderSpec['kind']) => MetricProvider,
  timeoutMs = 20_000,
): Promise<NonNullable<Observations['measurements']>> {
  const { state, resolved, rollout } = stored;
  const runs = [state.stepAnalysis, state.backgroundAnalysis];
  return Promise.all(
    dueMeasurements(resolved, state, now).map(async ({ run, metric }) => {
      const started = runs.find((r) => r?.id === run)?.startedAt;
      let measurement: Measurement;
      try {
        measurement = await measure(metric, {
          provider: providers(metric.provider.kind),
          arms: { canary: rollout.route.canary.version, baseline: rollout.route.stable.version },
          runStartedAt: started === undefined ? now : new Date(started),
          now,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (e) {
        // `measure` never throws; a provider that cannot even be made (a kind this server lacks) is an error.
        const message = `cannot measure: ${e instanceof Error ? e.message : String(e)}`;
        measurement = { at: now.toISOString(), phase: 'error', reason: 'providerError', message };
      }
      return { run, metric: metric.name, measurement };
    }),
  );
}
