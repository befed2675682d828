import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProviders } from '../analysis/providers/index.js';
import {
  PROMETHEUS_SKIPPED,
  PrometheusProcess,
  runPrometheusTests as run,
  waitFor,
} from '../analysis/providers/testing/prometheus-process.js';
import { NopRouter } from '../routing/routers/nop.js';
import { DRIVERS, type DriverName, startTestApp, type TestApp } from '../testing/test-app.js';
import { PhaseReason, RolloutEvent } from './reasons.js';
import type { HistoryEntry, RolloutView } from './rollout-view.js';
import { MetricsWallet } from './testing/metrics-wallet.js';

/**
 * The whole release loop against a real Prometheus: a wallet service exposes deposit counters and a latency
 * histogram, synthetic traffic follows the routing the controller asks for (NopRouter), Prometheus scrapes the
 * service every second, and the rollout driver runs on real timers over the HTTP API with the real providers,
 * judging PromQL answers per PSP, canary against baseline. No assertion depends on timing: each case polls the
 * API until the rollout reaches the state it is about, with a generous deadline.
 */

const SETTLE_MS = 75_000;
const CASE_MS = 150_000;

/** Deposit success per PSP and p95 deposit latency over `range`, measured for the canary and the baseline. */
function depositsTemplate(options: { range?: string; count?: number; consecutiveErrorLimit?: number } = {}) {
  const range = options.range ?? '{{window}}';
  const common = {
    interval: '2s',
    initialDelay: '2s',
    count: options.count ?? 4,
    ...(options.consecutiveErrorLimit === undefined
      ? {}
      : { consecutiveErrorLimit: options.consecutiveErrorLimit }),
  };
  const prometheus = (query: string) => ({
    prometheus: { address: '{{args.prometheus}}', query, timeout: '5s' },
  });
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'wallet-deposits' },
    spec: {
      args: [{ name: 'prometheus' }],
      metrics: [
        {
          name: 'deposit-success-by-psp',
          ...common,
          dimension: 'psp',
          successCondition: 'result >= 0.98',
          provider: prometheus(
            `sum by (psp) (increase(deposits_total{version="{{version}}",outcome="success"}[${range}]))` +
              ` / sum by (psp) (increase(deposits_total{version="{{version}}"}[${range}]))`,
          ),
        },
        {
          name: 'deposit-latency-p95',
          ...common,
          successCondition: 'result <= 400',
          provider: prometheus(
            `1000 * histogram_quantile(0.95, sum by (le) (rate(deposit_duration_seconds_bucket{version="{{version}}"}[${range}])))`,
          ),
        },
      ],
    },
  };
}

describe.skipIf(!run)(
  run ? 'rollouts against a real Prometheus' : `rollouts against a real Prometheus — ${PROMETHEUS_SKIPPED}`,
  () => {
    let prometheus: PrometheusProcess | undefined;
    let wallet: MetricsWallet | undefined;
    // Each case gets a fresh router (and control plane); the wallet's traffic follows the current one.
    let router = new NopRouter();
    let t: TestApp | undefined;

    beforeAll(async () => {
      wallet = new MetricsWallet({
        service: 'wallet',
        stable: 'v1',
        canary: 'v2',
        route: (service) => router.state(service),
      });
      const target = await wallet.start();
      prometheus = await PrometheusProcess.start({ targets: [target] });
      // The stable version's deposits are in Prometheus before any rollout starts.
      const p = prometheus;
      await waitFor(
        'the first scrapes',
        async () => {
          const res = await fetch(
            `${p.address}/api/v1/query?query=${encodeURIComponent('sum(deposits_total{version="v1"})')}`,
          );
          const body = (await res.json()) as { data?: { result?: unknown[] } };
          return (body.data?.result?.length ?? 0) > 0 ? true : undefined;
        },
        () => p.exited,
      );
    }, 130_000);

    afterEach(async () => {
      await t?.close();
      t = undefined;
      wallet?.heal();
      // A case that stopped Prometheus and failed before restarting it leaves it for the next one running.
      if (prometheus && !prometheus.running) await prometheus.restart();
    }, 70_000);

    afterAll(async () => {
      await t?.close();
      await prometheus?.close();
      await wallet?.close();
    }, 30_000);

    /** A control plane whose rollout driver runs on real timers with the real providers and a fresh NopRouter. */
    async function startApp(driver: DriverName = 'sqlite'): Promise<TestApp> {
      router = new NopRouter();
      t = await startTestApp(driver, {
        rollouts: { router, providers: createProviders(), run: true, tickMs: 250 },
      });
      return t;
    }

    const analysis = () => ({
      analysis: {
        templates: [{ templateName: 'wallet-deposits' }],
        args: [{ name: 'prometheus', value: prometheus!.address }],
      },
    });

    function walletRollout(steps: unknown[]) {
      return {
        apiVersion: 'pitboss.dev/v1',
        kind: 'Rollout',
        metadata: { name: 'wallet' },
        spec: {
          service: 'wallet',
          stable: { version: 'v1' },
          canary: { version: 'v2' },
          strategy: { canary: { steps } },
        },
      };
    }

    async function start(
      app: TestApp,
      steps: unknown[],
      template = depositsTemplate(),
    ): Promise<RolloutView> {
      const res = await app.call('POST', '/api/v1/rollouts', {
        token: app.tokens.editor,
        body: { rollout: walletRollout(steps), templates: [template] },
      });
      expect(res.status, res.text).toBe(201);
      return res.body;
    }

    /** Every status read while waiting, so a case can check what happened on the way (weights, gates). */
    const seen: RolloutView[] = [];

    /** Polls the status until `done` holds; fails with the last status after `timeoutMs`. */
    async function until(
      app: TestApp,
      what: string,
      done: (s: RolloutView) => boolean,
      timeoutMs = SETTLE_MS,
    ): Promise<RolloutView> {
      let last: RolloutView | undefined;
      try {
        return await waitFor(
          what,
          async () => {
            const res = await app.call('GET', '/api/v1/rollouts/wallet', { token: app.tokens.viewer });
            last = res.body as RolloutView;
            if (seen.at(-1)?.stateVersion !== last.stateVersion) seen.push(last);
            return done(last) ? last : undefined;
          },
          () => prometheus?.exited,
          timeoutMs,
        );
      } catch (e) {
        throw new Error(`${(e as Error).message}\nlast status: ${JSON.stringify(last, null, 2)}`);
      }
    }

    const settled = (s: RolloutView) => s.phase === 'Healthy' || s.phase === 'Aborted';

    async function history(app: TestApp): Promise<HistoryEntry[]> {
      const res = await app.call('GET', '/api/v1/rollouts/wallet/history', { token: app.tokens.viewer });
      return res.body.entries;
    }

    /** The latest measurement of a metric in a status, if its gate is shown. */
    const metricOf = (s: RolloutView, run: string, metric: string) =>
      s.gates.find((g) => g.run === run)?.metrics.find((m) => m.name === metric);

    it(
      'walks a healthy canary 10 % → analysis → 50 % → analysis → 100 % on real PromQL answers',
      async () => {
        seen.length = 0;
        const app = await startApp();
        const steps = [{ setWeight: 10 }, analysis(), { setWeight: 50 }, analysis(), { setWeight: 100 }];
        const started = await start(app, steps);
        expect(started.route.weight).toBe(10);
        const before = wallet!.count('v2');

        const done = await until(app, 'the rollout to settle', settled);
        expect(done.phase).toBe('Healthy');
        expect(done.route.weight).toBe(100);
        expect(router.state('wallet').weight).toBe(100);
        // The canary really took traffic, and its weight only ever grew through the steps' values.
        expect(wallet!.count('v2')).toBeGreaterThan(before);
        const weights = seen.map((s) => s.route.weight);
        expect(weights.every((w) => [10, 50, 100].includes(w))).toBe(true);
        expect(weights).toEqual([...weights].sort((a, b) => a - b));

        // Both analyses judged real answers: per PSP for both arms, and a latency figure.
        for (const run of ['step-1', 'step-3']) {
          const success = seen
            .map((s) => metricOf(s, run, 'deposit-success-by-psp')?.last)
            .find((m) => m?.phase === 'success');
          expect(success, `a successful measurement of ${run}`).toBeDefined();
          expect(success?.message).toMatch(/all 2 psp pass, worst psp=[AB] /);
          const arms = (success?.values ?? []).map((v) => `${v.arm}:${v.dimension}`).sort();
          expect(arms).toEqual(['baseline:A', 'baseline:B', 'canary:A', 'canary:B']);
          const latency = seen
            .map((s) => metricOf(s, run, 'deposit-latency-p95')?.last)
            .find((m) => m?.phase === 'success');
          const p95 = latency?.values?.find((v) => v.arm === 'canary')?.value;
          expect(typeof p95 === 'number' && p95 > 100 && p95 <= 400, `p95 ${p95}`).toBe(true);
        }

        const entries = await history(app);
        const succeeded = entries.filter((e) => e.event === RolloutEvent.AnalysisSucceeded);
        // A transition is recorded at the step it leads to: the analyses at steps 1 and 3 passed into 2 and 4.
        expect(succeeded.map((e) => e.rolloutStep)).toEqual([2, 4]);
        expect(succeeded.map((e) => e.weight)).toEqual([50, 100]);
        for (const e of entries.filter((e) => e.event !== 'start' && e.event !== 'command')) {
          expect(e.version).toBe('v2');
          expect(typeof e.rolloutStep).toBe('number');
        }
        const events = entries.map((e) => e.event);
        expect(events.at(-1)).toBe(RolloutEvent.Completed);
        expect(events).not.toContain(RolloutEvent.AnalysisFailed);
        expect(events).not.toContain(RolloutEvent.ProviderOutage);
      },
      CASE_MS,
    );

    // The quickest case, so it also runs on PostgreSQL.
    it.each(DRIVERS)(
      'rolls back a canary whose deposits fail at PSP B only, naming the PSP and the figure (%s)',
      async (driver) => {
        seen.length = 0;
        wallet!.configure('v2', { failureRatio: 0.05 }, 'B');
        const app = await startApp(driver);
        await start(app, [{ setWeight: 10 }, analysis(), { setWeight: 50 }, analysis(), { setWeight: 100 }]);

        const done = await until(app, 'the rollout to settle', (s) => settled(s) && s.routeConfirmed);
        expect(done.phase).toBe('Aborted');
        expect(done.reason).toBe(PhaseReason.AnalysisFailed);
        expect(done.stepIndex).toBe(1);
        expect(done.route.weight).toBe(0);
        expect(router.state('wallet').weight).toBe(0);
        expect(seen.every((s) => s.route.weight <= 10)).toBe(true);
        // `deposit-success-by-psp: psp=B 95 % fails result >= 0.98; baseline 99.9 %`
        expect(done.message).toContain('deposit-success-by-psp');
        const figure = /psp=B (\d+(?:\.\d+)?) % fails result >= 0\.98/.exec(done.message);
        expect(figure, done.message).not.toBeNull();
        const pct = Number(figure![1]);
        expect(pct).toBeGreaterThan(90);
        expect(pct).toBeLessThan(98);
        expect(done.message).not.toMatch(/psp=A/);
        expect(done.message).not.toContain('deposit-success-by-psp: deposit-success-by-psp');

        const entries = await history(app);
        const failed = entries.find((e) => e.event === RolloutEvent.AnalysisFailed);
        expect(failed).toMatchObject({ version: 'v2', rolloutStep: 1, weight: 0 });
        expect(failed?.message).toContain('psp=B');
        expect(entries.map((e) => e.event)).toContain(RolloutEvent.RolledBack);
        expect(entries.some((e) => (e.rolloutStep ?? 0) > 1)).toBe(false);

        // Drained: with the weight at 0 the canary takes no more deposits.
        const drained = wallet!.count('v2');
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(wallet!.count('v2')).toBe(drained);
      },
      CASE_MS,
    );

    it(
      'pauses when Prometheus goes down mid-analysis, never promoting or aborting, and resumes when it is back',
      async () => {
        seen.length = 0;
        const app = await startApp();
        await start(
          app,
          [{ setWeight: 10 }, analysis(), { setWeight: 100 }],
          depositsTemplate({ count: 4, consecutiveErrorLimit: 3 }),
        );

        // One good measurement in, then the outage: the analysis is under way with part of its count left.
        await until(
          app,
          'a first successful measurement',
          (s) => settled(s) || (metricOf(s, 'step-1', 'deposit-success-by-psp')?.successful ?? 0) >= 1,
        );
        await prometheus!.stop();
        const paused = await until(app, 'the outage to pause the rollout', (s) => s.phase !== 'Analyzing');
        expect(paused.phase).toBe('Paused');
        expect(paused.reason).toBe(PhaseReason.ProviderOutage);
        expect(paused.stepIndex).toBe(1);
        expect(paused.route.weight).toBe(10);
        expect(paused.message).toMatch(/provider outage/);
        expect(metricOf(paused, 'step-1', 'deposit-success-by-psp')?.status).toBe('Error');

        // It keeps measuring while held (to notice the end of the outage), and stays where it is.
        const errors = metricOf(paused, 'step-1', 'deposit-success-by-psp')?.errors ?? 0;
        const held = await until(
          app,
          'two more failed measurements',
          (s) =>
            s.phase !== 'Paused' ||
            (metricOf(s, 'step-1', 'deposit-success-by-psp')?.errors ?? 0) >= errors + 2,
        );
        expect(held).toMatchObject({ phase: 'Paused', reason: PhaseReason.ProviderOutage, stepIndex: 1 });
        expect(held.route.weight).toBe(10);

        await prometheus!.restart();
        const done = await until(app, 'the rollout to settle after the outage', settled);
        expect(done.phase).toBe('Healthy');
        expect(done.route.weight).toBe(100);

        const entries = await history(app);
        const events = entries.map((e) => e.event);
        expect(events).toContain(RolloutEvent.ProviderOutage);
        expect(events.indexOf(RolloutEvent.ProviderRecovered)).toBeGreaterThan(
          events.indexOf(RolloutEvent.ProviderOutage),
        );
        expect(events).not.toContain(RolloutEvent.AnalysisFailed);
        expect(events).not.toContain(RolloutEvent.Aborted);
        // The step was left only after the provider recovered.
        const recovered = events.indexOf(RolloutEvent.ProviderRecovered);
        const left = entries.findIndex((e) => e.event === RolloutEvent.AnalysisSucceeded);
        expect(left).toBeGreaterThan(recovered);
        expect(entries.slice(0, recovered).every((e) => (e.weight ?? 0) <= 10)).toBe(true);
      },
      CASE_MS,
    );

    it(
      'pauses on a platform-wide incident (both versions failing at PSP B) and resumes when it clears',
      async () => {
        seen.length = 0;
        wallet!.configure('v1', { failureRatio: 0.05 }, 'B');
        wallet!.configure('v2', { failureRatio: 0.05 }, 'B');
        const app = await startApp();
        // A short fixed range, so the figures recover soon after the incident ends.
        await start(
          app,
          [{ setWeight: 10 }, analysis(), { setWeight: 100 }],
          depositsTemplate({ range: '3s', count: 8 }),
        );

        const paused = await until(app, 'the incident to pause the rollout', (s) => s.phase !== 'Analyzing');
        expect(paused.phase).toBe('Paused');
        expect(paused.reason).toBe(PhaseReason.SharedIncident);
        expect(paused.stepIndex).toBe(1);
        expect(paused.route.weight).toBe(10);
        expect(paused.message).toMatch(
          /psp=B canary \d+(\.\d+)? % and baseline \d+(\.\d+)? % both fail result >= 0\.98/,
        );
        expect(paused.gates.find((g) => g.run === 'step-1')?.sharedIncident).toBe(true);

        wallet!.heal();
        const done = await until(app, 'the rollout to settle after the incident', settled);
        expect(done.phase).toBe('Healthy');
        const events = (await history(app)).map((e) => e.event);
        expect(events).toContain(RolloutEvent.SharedIncident);
        expect(events).toContain(RolloutEvent.SharedIncidentCleared);
        expect(events).not.toContain(RolloutEvent.AnalysisFailed);
        expect(events).not.toContain(RolloutEvent.Aborted);
      },
      CASE_MS,
    );
  },
);
