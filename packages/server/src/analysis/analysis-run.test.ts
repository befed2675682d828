import { describe, expect, it } from 'vitest';
import { dueMetrics, nextDueAt, recordMeasurement, startRun, terminateRun } from './analysis-run.js';
import type { ResolvedMetric } from './analysis-template.js';
import type { AnalysisRunState, Measurement, MeasurementReason, RunStatus } from './measurement.js';
import { resolvedMetric } from './testing/fixtures.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function metric(over: Partial<ResolvedMetric> = {}): ResolvedMetric {
  return resolvedMetric({ name: 'm', query: 'success_ratio{}[1m]', ...over });
}

/** One letter per measurement: s success, f failure, i inconclusive, e error, n noData, u insufficient, x shared incident. */
function m(code: string, time: Date): Measurement {
  const reasons: Record<string, MeasurementReason | undefined> = {
    n: 'noData',
    u: 'insufficientSamples',
    x: 'sharedIncident',
    e: 'providerError',
  };
  const phase = ({ s: 'success', f: 'failure', e: 'error' } as const)[code] ?? 'inconclusive';
  const reason = reasons[code];
  const base = { at: time.toISOString(), phase, message: `measured ${code}` };
  return reason === undefined
    ? base
    : { ...base, reason, advice: code === 'u' ? 'raise the weight' : undefined };
}

/** Plays `codes` for one metric, one measurement every 10 s (or `gapS`), and returns the final run. */
function play(spec: Partial<ResolvedMetric>, codes: string, gapS = 10): AnalysisRunState {
  const met = metric(spec);
  let run = startRun('step-1', [met], T0);
  [...codes].forEach((c, i) => {
    run = recordMeasurement(run, met, m(c, at(i * gapS)), at(i * gapS));
  });
  return run;
}

describe('recordMeasurement: one metric, status after a sequence', () => {
  const cases: [string, Partial<ResolvedMetric>, string, RunStatus][] = [
    ['default failureLimit 0: first failure fails', {}, 'sf', 'Failed'],
    ['successes keep it running', {}, 'sss', 'Running'],
    ['failureLimit 2 tolerates 2 failures', { failureLimit: 2 }, 'fsf', 'Running'],
    ['failureLimit 2 fails at the 3rd failure', { failureLimit: 2 }, 'fsfsf', 'Failed'],
    ['consecutive 3: broken streaks never fail', { consecutiveFailureLimit: 3 }, 'ffsffsff', 'Running'],
    ['consecutive 3: third in a row fails', { consecutiveFailureLimit: 3 }, 'sfff', 'Failed'],
    ['consecutive: noData keeps the streak', { consecutiveFailureLimit: 3 }, 'ffnf', 'Failed'],
    ['consecutive: shared incident keeps the streak', { consecutiveFailureLimit: 3 }, 'fxxf', 'Running'],
    ['consecutive + failureLimit 1', { consecutiveFailureLimit: 3, failureLimit: 1 }, 'fsf', 'Failed'],
    [
      'window 3 in 60 s: spread out',
      { window: { failures: 3, withinMs: 60_000 } },
      'fsssssfsssssf',
      'Running',
    ],
    ['window 3 in 60 s: clustered', { window: { failures: 3, withinMs: 60_000 } }, 'fssfsf', 'Failed'],
    ['hardStop: first failure fails despite limit', { hardStop: true, failureLimit: 5 }, 'sf', 'Failed'],
    ['errors up to the limit: still running', {}, 'eeee', 'Running'],
    ['errors beyond the limit: Error', {}, 'eeeee', 'Error'],
    ['consecutiveErrorLimit 1', { consecutiveErrorLimit: 1 }, 'see', 'Error'],
    ['Error recovers on a success', {}, 'eeeees', 'Running'],
    ['Error recovers on noData', {}, 'eeeeen', 'Running'],
    ['errors interrupted never reach Error', {}, 'eeeseeee', 'Running'],
    ['inconclusive beyond limit 0', {}, 'si', 'Inconclusive'],
    ['inconclusiveLimit 1 tolerates one', { inconclusiveLimit: 1 }, 'sis', 'Running'],
    ['undecided never counts as inconclusive', {}, 'nnuuxx', 'Running'],
    ['undecided never counts as failure', {}, 'nuxnux', 'Running'],
    ['count reached with a success: Successful', { count: 3 }, 'nss', 'Successful'],
    ['count reached undecided: Inconclusive', { count: 3 }, 'nuu', 'Inconclusive'],
    ['count reached with failures within limit', { count: 3, failureLimit: 1 }, 'fss', 'Successful'],
    ['errors do not use up count (an outage never completes a step)', { count: 3 }, 'seee', 'Running'],
    ['count reached once enough measurements answered', { count: 3 }, 'seess', 'Successful'],
    [
      'never completes during a shared incident (nothing promoted mid-incident)',
      { count: 3 },
      'sxxxx',
      'Running',
    ],
    ['completes on the first measurement after the incident', { count: 3 }, 'sxxxs', 'Successful'],
    ['measurements after a verdict are ignored', { count: 2 }, 'ssffff', 'Successful'],
    ['failure beats count on the last measurement', { count: 2 }, 'sf', 'Failed'],
    ['dry run never fails the run', { dryRun: true }, 'ffff', 'Successful'],
    ['dry run still running', { dryRun: true }, 's', 'Running'],
  ];
  it.each(cases)('%s', (_name, spec, codes, status) => {
    expect(play(spec, codes).status).toBe(status);
  });
});

describe('run flags and assessment', () => {
  it('hardStop sets hardStopped and names the metric', () => {
    const run = play({ name: 'chargebacks', hardStop: true }, 'f');
    expect([run.hardStopped, run.status, run.message]).toEqual([
      true,
      'Failed',
      'chargebacks: measured f (hard stop)',
    ]);
  });

  it('a dry-run hardStop metric never stops the run', () => {
    expect(play({ hardStop: true, dryRun: true }, 'f').hardStopped).toBe(false);
  });

  it('sharedIncident follows the latest measurement', () => {
    expect(play({}, 'sx').sharedIncident).toBe(true);
    expect(play({}, 'sxs').sharedIncident).toBe(false);
  });

  it('worst metric wins: Failed > Error > Inconclusive > Running > Successful', () => {
    const a = metric({ name: 'a', count: 1 });
    const b = metric({ name: 'b' });
    const c = metric({ name: 'c', consecutiveErrorLimit: 0 });
    let run = startRun('r', [a, b, c], T0);
    run = recordMeasurement(run, a, m('s', T0), T0);
    expect(run.status).toBe('Running');
    run = recordMeasurement(run, c, m('e', T0), T0);
    expect(run.status).toBe('Error');
    run = recordMeasurement(run, b, m('f', T0), T0);
    expect([run.status, run.message]).toEqual(['Failed', 'b: measured f (1 failed measurements, limit 0)']);
  });

  it('Successful only when every counted metric is', () => {
    const a = metric({ name: 'a', count: 1 });
    const b = metric({ name: 'b', count: 2 });
    let run = startRun('r', [a, b], T0);
    run = recordMeasurement(run, a, m('s', T0), T0);
    run = recordMeasurement(run, b, m('s', T0), T0);
    expect(run.status).toBe('Running');
    run = recordMeasurement(run, b, m('s', at(10)), at(10));
    expect(run.status).toBe('Successful');
  });

  it('keeps only the last 10 measurements and no failure times without a window', () => {
    const run = play({ failureLimit: 100 }, 'sfsfsfsfsfsfsfsf');
    const s = run.metrics[0]!;
    expect([s.measurements.length, s.recentFailures.length, s.failed, s.taken]).toEqual([10, 0, 8, 16]);
  });

  it('prunes failure times to the window', () => {
    const run = play({ window: { failures: 5, withinMs: 30_000 } }, 'fsfsfsfsf');
    expect(run.metrics[0]!.recentFailures).toEqual([at(60), at(80)].map((d) => d.toISOString()));
  });

  it('names the metric once, also when the measurement already does', () => {
    const met = metric({ name: 'm' });
    const named = { ...m('f', T0), message: 'm: 97 % fails result >= 0.99' };
    const run = recordMeasurement(startRun('r', [met], T0), met, named, T0);
    expect(run.message).toBe('m: 97 % fails result >= 0.99 (1 failed measurements, limit 0)');
  });

  it('an undecided verdict carries the advice', () => {
    expect(play({ count: 2 }, 'uu').message).toBe(
      'm: undecided after 2 measurements, none passed: raise the weight',
    );
  });
});

describe('scheduling', () => {
  const a = metric({ name: 'a', initialDelayMs: 30_000, intervalMs: 60_000 });
  const b = metric({ name: 'b', intervalMs: 10_000 });

  it('initial delay and interval decide what is due', () => {
    let run = startRun('r', [a, b], T0);
    expect(dueMetrics(run, [a, b], T0).map((x) => x.name)).toEqual(['b']);
    expect(nextDueAt(run)).toEqual(T0);
    run = recordMeasurement(run, b, m('s', T0), T0);
    expect(nextDueAt(run)).toEqual(at(10));
    expect(dueMetrics(run, [a, b], at(30)).map((x) => x.name)).toEqual(['a', 'b']);
    run = recordMeasurement(run, a, m('s', at(30)), at(30));
    expect(run.metrics[0]!.nextAt).toBe(at(90).toISOString());
  });

  it('nothing is due once the run has a verdict', () => {
    let run = startRun('r', [a, b], T0);
    run = recordMeasurement(run, b, m('f', T0), T0);
    expect([dueMetrics(run, [a, b], at(100)), nextDueAt(run)]).toEqual([[], undefined]);
  });

  it('a metric in Error stays due so it can recover', () => {
    const c = metric({ consecutiveErrorLimit: 0 });
    let run = startRun('r', [c], T0);
    run = recordMeasurement(run, c, m('e', T0), T0);
    expect([run.status, dueMetrics(run, [c], at(10)).length]).toEqual(['Error', 1]);
  });
});

describe('terminateRun', () => {
  const cases: [string, string, RunStatus][] = [
    ['running with a success → Successful', 'ns', 'Successful'],
    ['running, never passed → Inconclusive', 'nn', 'Inconclusive'],
    ['never measured → Inconclusive', '', 'Inconclusive'],
    ['Error stays Error', 'eeeee', 'Error'],
    ['Failed stays Failed', 'f', 'Failed'],
  ];
  it.each(cases)('%s', (_name, codes, status) => {
    const run = terminateRun(play({}, codes), at(600));
    expect([run.status, nextDueAt(run)]).toEqual([status, undefined]);
  });
});
