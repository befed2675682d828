// Smoke test of the detection benchmark on a few fixed seeds: the qualitative outcome only (who rolls back,
// who does not), never a timing. Runs in-process on the built server (`npm test` builds first).
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironment, runOne } from './harness.js';

type Outcome = { rollbackS: number | null; incidentHolds?: number; culprit?: string };
type RunResult = Record<string, Outcome> & { errors?: { count: number; first: string } };

const ALL = ['pitboss', 'pitboss-cmp', 'pitboss-slo', 'argo', 'flagger'];
const SEED = 424_242;

describe('detection benchmark (small deterministic configuration)', () => {
  let env: unknown;
  const run = (scenario: string, weight: number, index: number): Promise<RunResult> =>
    runOne(env, { scenario, weight, run: index, seed: SEED, only: ALL });

  beforeAll(async () => {
    env = await loadEnvironment();
  }, 60_000);

  it('Pitboss rolls back a 99.5 % → 97 % deposit regression on a 5 % canary, every time', async () => {
    for (let i = 0; i < 8; i++) {
      const r = await run('success-97', 0.05, i);
      expect(r.errors).toBeUndefined();
      expect(r.pitboss?.rollbackS, `run ${i}`).not.toBeNull();
      expect(r['pitboss-cmp']?.rollbackS, `run ${i}`).not.toBeNull();
      expect(r['pitboss-cmp']?.culprit).toBe('deposit-errors-vs-baseline');
      // The SLO threshold alone catches it too, once the deposits show it with confidence.
      expect(r['pitboss-slo']).toMatchObject({ culprit: 'deposit-success-by-psp' });
    }
  });

  it('Pitboss rolls back a p95 latency regression 300 → 650 ms on a 1 % canary', async () => {
    const r = await run('latency-650', 0.01, 0);
    expect(r['pitboss-cmp']).toMatchObject({ culprit: 'deposit-latency-vs-baseline' });
    expect(r['pitboss-cmp']?.rollbackS).not.toBeNull();
  });

  it('no rollback of a healthy canary in an hour, at every weight, thresholds included', async () => {
    // Point thresholds rolled back 993 of 1,000 healthy hours at 1 %; confident ones judge the deposits behind them.
    for (const weight of [0.01, 0.05, 0.25]) {
      for (let i = 0; i < 2; i++) {
        const r = await run('healthy', weight, i);
        expect(r.errors).toBeUndefined();
        for (const name of ['pitboss', 'pitboss-cmp', 'pitboss-slo'])
          expect(r[name]?.rollbackS, `${name} at weight ${weight}, run ${i}`).toBeNull();
      }
    }
  });

  it('a shared incident is held, not blamed on the canary; Argo-style rolls back', async () => {
    const r = await run('shared-incident', 0.25, 0);
    expect(r['pitboss-cmp']?.rollbackS).toBeNull();
    expect(r.pitboss?.rollbackS).toBeNull();
    expect(r.pitboss?.incidentHolds).toBeGreaterThan(0);
    expect(r.argo?.rollbackS).not.toBeNull();
  });
});
