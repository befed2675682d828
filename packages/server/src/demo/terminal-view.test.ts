import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Gate, RolloutView } from '../rollouts/rollout-view.js';
import {
  bar,
  describeChanges,
  type ReleaseContext,
  renderRelease,
  shippedName,
  stepProgress,
  TerminalView,
} from './terminal-view.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

const STEPS = [
  "setSegment user.isEmployee == 'true'",
  'pause 5s',
  'setWeight 5',
  'analysis deposit-success-by-psp-demo-x6, deposit-latency-p95-demo-x6',
  'setWeight 100',
];

const CTX: ReleaseContext = {
  name: 'wallet-v2',
  scenario: 'psp-failure',
  story: 'wallet v2 fails PSP B deposits',
  counts: new Map([
    ['deposit-success-by-psp', 30],
    ['deposit-latency-p95', 30],
  ]),
  speed: 6,
  startedAt: T0,
};

function gate(taken: number, phase: 'success' | 'failure' = 'success', status = 'Running'): Gate {
  return {
    run: 'step-3',
    templates: ['deposit-success-by-psp-demo-x6'],
    status: status as Gate['status'],
    startedAt: iso(10),
    hardStopped: false,
    sharedIncident: false,
    metrics: [
      {
        name: 'deposit-success-by-psp',
        status: status as Gate['status'],
        dryRun: false,
        hardStop: false,
        taken,
        successful: phase === 'success' ? taken : 0,
        failed: phase === 'failure' ? 3 : 0,
        inconclusive: 0,
        errors: 0,
        last: {
          at: iso(10 + taken),
          phase,
          message:
            phase === 'success'
              ? 'deposit-success-by-psp: all 3 psp pass, worst psp=A 100 %'
              : 'deposit-success-by-psp: psp=B 96.4 % fails result >= 0.99',
        },
      },
      {
        name: 'deposit-latency-p95',
        status: 'Running',
        dryRun: false,
        hardStop: false,
        taken: 2 * taken,
        successful: 2 * taken,
        failed: 0,
        inconclusive: 0,
        errors: 0,
      },
    ],
  };
}

function view(over: Partial<RolloutView>): RolloutView {
  return {
    name: 'wallet-v2',
    revision: 1,
    service: 'wallet',
    stableVersion: 'v1',
    canaryVersion: 'v2',
    strategy: 'canary',
    phase: 'Progressing',
    reason: 'TimedPause',
    message: '',
    stepIndex: 1,
    steps: STEPS,
    route: { weight: 0, mirror: 0, segment: "user.isEmployee == 'true'" },
    routeConfirmed: true,
    gates: [],
    pendingCommands: [],
    stateVersion: 1,
    createdAt: iso(0),
    updatedAt: iso(0),
    ...over,
  };
}

describe('progress', () => {
  it('draws bars of 20 cells, clamped', () => {
    expect(bar(0.5, true)).toBe(`[${'█'.repeat(10)}${'░'.repeat(10)}]`);
    expect(bar(2, false)).toBe(`[${'#'.repeat(20)}]`);
    expect(bar(Number.NaN, false)).toBe(`[${'-'.repeat(20)}]`);
  });

  it('measures a timed pause by its clock and an analysis by its slowest metric', () => {
    const paused = view({ pause: { reason: 'PausedByStep', since: iso(0), until: iso(5) } });
    expect(stepProgress(paused, 0, CTX, T0 + 2_000)).toBe(1);
    expect(stepProgress(paused, 1, CTX, T0 + 2_000)).toBeCloseTo(0.4);
    expect(stepProgress(paused, 2, CTX, T0 + 2_000)).toBe(0);
    const analyzing = view({ stepIndex: 3, phase: 'Analyzing', gates: [gate(6)] });
    expect(stepProgress(analyzing, 3, CTX, T0)).toBeCloseTo(0.2);
    expect(stepProgress(view({ stepIndex: 2, routeConfirmed: false }), 2, CTX, T0)).toBe(0.5);
    expect(stepProgress(view({ phase: 'Healthy', stepIndex: 5 }), 4, CTX, T0)).toBe(1);
  });

  it('shows the shipped template names, not the demo copies', () => {
    expect(shippedName(STEPS[3]!)).toBe('analysis deposit-success-by-psp, deposit-latency-p95');
  });
});

describe('renderRelease', () => {
  it('shows each step with its bar, the routing, the flag, each gate with its figures, and the reason', () => {
    const aborted = view({
      phase: 'Aborted',
      reason: 'AnalysisFailed',
      message: 'analysis step-3 failed: deposit-success-by-psp: psp=B 96.4 % fails result >= 0.99',
      stepIndex: 3,
      route: { weight: 0, mirror: 0 },
      gates: [gate(12, 'failure', 'Failed')],
    });
    const lines = renderRelease(aborted, CTX, { flag: 0.25 }, T0, false);
    expect(lines[0]).toBe('wallet-v2 (revision 1) · wallet v1 → v2 · scenario psp-failure · time ×6');
    expect(lines).toContain(`    2 [${'#'.repeat(20)}] setWeight 5`);
    expect(lines).toContain(
      ` X  3 [${'#'.repeat(8)}${'-'.repeat(12)}] analysis deposit-success-by-psp, deposit-latency-p95`,
    );
    expect(lines).toContain('phase Aborted (AnalysisFailed) · weight 0 % · flag payments_v2 25 % in prod');
    expect(lines).toContain(
      '  analysis step-3 failed: deposit-success-by-psp: psp=B 96.4 % fails result >= 0.99',
    );
    expect(lines).toContain(
      '    FAILED deposit-success-by-psp  0 passed / 3 failed / 12 taken  failure: psp=B 96.4 % fails result >= 0.99',
    );
  });
});

describe('describeChanges (plain output)', () => {
  it('says what changed and nothing when only counts moved', () => {
    const a = view({
      stepIndex: 3,
      phase: 'Analyzing',
      reason: 'AnalysisRunning',
      route: { weight: 5, mirror: 0 },
      gates: [gate(1)],
    });
    expect(describeChanges(undefined, a, CTX)).toEqual([
      'step 3/4: analysis deposit-success-by-psp, deposit-latency-p95',
      'phase Analyzing (AnalysisRunning)',
      'routing: weight 5 % (confirmed by the gateway)',
      '  step-3 deposit-success-by-psp Running (1/30 measurements) success: all 3 psp pass, worst psp=A 100 %',
    ]);
    expect(describeChanges(a, { ...a, gates: [gate(2)] }, CTX)).toEqual([]);
    const failing = { ...a, gates: [gate(3, 'failure')] };
    expect(describeChanges(a, failing, CTX)).toEqual([
      '  step-3 deposit-success-by-psp Running (3/30 measurements) failure: psp=B 96.4 % fails result >= 0.99',
    ]);
  });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('TerminalView', () => {
  it('appends only what changed, with the time since the release began, when not a terminal', () => {
    const out = new Capture();
    let now = T0;
    const tv = new TerminalView(out, false, () => now);
    tv.line('hello');
    tv.begin(CTX);
    tv.update(view({}));
    now += 2_500;
    tv.update(view({}));
    tv.update(view({ stepIndex: 2, reason: 'WaitingForRoute' }));
    expect(out.text.split('\n')).toEqual([
      'hello',
      '[   0.0s] step 1/4: pause 5s',
      '[   0.0s] phase Progressing (TimedPause)',
      "[   0.0s] routing: weight 0 %, segment user.isEmployee == 'true' (confirmed by the gateway)",
      '[   2.5s] step 2/4: setWeight 5',
      '[   2.5s] phase Progressing (WaitingForRoute)',
      '',
    ]);
  });

  it('redraws its block in place on a terminal, under the lines printed above it', () => {
    const out = Object.assign(new Capture(), { columns: 200 });
    const tv = new TerminalView(out, true, () => T0);
    tv.begin(CTX);
    tv.update(view({}));
    const first = out.text.split('\n').length - 1;
    tv.line('a line above');
    // Up over the block, clear, the line, the block again.
    expect(out.text).toContain(
      `\x1b[${first}F\x1b[Ja line above\n${renderRelease(view({}), CTX, {}, T0).join('\n')}`,
    );
    tv.finish();
    const before = out.text.length;
    tv.line('after');
    expect(out.text.slice(before)).toBe('after\n');
  });
});
