// Smoke test of the flag benchmark: every implementation, one small round, correctness only.
// Timings on a shared 2-core machine mean nothing here, so nothing about speed is asserted.
import { beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_ON_FRACTION } from './contexts.js';
import { runBench } from './harness.js';
import { IMPLS } from './impls/index.js';

// ±1.5 pp: loose enough for 20k contexts' sampling noise (σ ≈ 0.2 pp), tight enough to catch a wrong rule
// (dropping the market rollout or the employee rule moves the fraction by ≥ 0.3 / 8 pp).
const TOLERANCE = 0.015;

type ImplResult = {
  name: string;
  status: 'ok' | 'failed' | 'unavailable';
  error?: string;
  onFraction?: number;
  onCount?: number;
  correct?: boolean;
};

describe('flag benchmark (quick mode)', () => {
  let results: ImplResult[] = [];

  beforeAll(async () => {
    const run = await runBench({ contexts: 20_000, rounds: 1, warmup: 5_000, tolerance: TOLERANCE });
    results = run.impls as ImplResult[];
  }, 180_000);

  for (const { name } of IMPLS) {
    it(`${name} turns the flag on for the expected fraction of players`, (ctx) => {
      const r = results.find((x) => x.name === name);
      expect(r, `no result for ${name}`).toBeDefined();
      // Pitboss's engine is still being written; until its dist exists the benchmark cannot import it.
      if (name === 'pitboss' && r?.status === 'unavailable') ctx.skip();
      expect(r?.error).toBeUndefined();
      expect(r?.status).toBe('ok');
      expect(Math.abs((r?.onFraction ?? Number.NaN) - EXPECTED_ON_FRACTION)).toBeLessThanOrEqual(TOLERANCE);
    });
  }

  it('hand-written and json-logic-js bucket identically (same MurmurHash3 bucketing)', () => {
    const byName = new Map(results.map((r) => [r.name, r]));
    expect(byName.get('json-logic-js')?.onCount).toBe(byName.get('hand-written')?.onCount);
  });
});
