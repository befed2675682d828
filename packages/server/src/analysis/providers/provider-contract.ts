import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../analysis-template.js';
import type { MetricProvider, QueryResult, Series } from '../provider.js';

/** What one implementation gives the shared suite: itself, a spec, and queries with known answers. */
export interface ProviderContractFixture {
  readonly provider: MetricProvider;
  readonly spec: ProviderSpec;
  /** A query whose answer is known (series compared regardless of order). */
  readonly data: { readonly query: string; readonly at: Date; readonly expected: readonly Series[] };
  /** A valid query over nothing: answers no data. */
  readonly empty: { readonly query: string; readonly at: Date };
  /** A query the provider cannot run (bad syntax, not a URL, …). */
  readonly malformed: string;
  /** HTTP providers: the same query against a closed port, a server that never answers, and one answering garbage. */
  readonly remote?: {
    readonly dead: { readonly spec: ProviderSpec; readonly query: string };
    readonly hanging: { readonly spec: (timeoutMs: number) => ProviderSpec; readonly query: string };
    readonly garbage: { readonly spec: ProviderSpec; readonly query: string };
  };
  close?(): Promise<void>;
}

/**
 * The behaviour every metric provider owes the analysis (Hono's `router/common.case.test.ts` pattern): each
 * implementation's test calls this with its own setup. Providers return data, never throw: a dead, slow or
 * nonsensical endpoint is `{ok:false}` the analysis counts as an error, and "nothing there" is an empty answer.
 */
export function providerContract(name: string, setup: () => Promise<ProviderContractFixture>): void {
  describe(`MetricProvider contract: ${name}`, () => {
    let f: ProviderContractFixture;
    beforeAll(async () => {
      f = await setup();
    });
    afterAll(async () => {
      await f?.close?.();
    });

    it('answers a query with its data', async () => {
      const r = await settled(f.provider.query(f.spec, f.data.query, f.data.at));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(bySeries(r.series)).toEqual(bySeries(f.data.expected));
    });

    it('answers a query over nothing with no data, not an error or a zero', async () => {
      const r = await settled(f.provider.query(f.spec, f.empty.query, f.empty.at));
      expect(r).toEqual({ ok: true, series: [] });
    });

    it('answers a malformed query with an error message', async () => {
      const r = await settled(f.provider.query(f.spec, f.malformed, f.data.at));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeGreaterThan(0);
    });

    it('refuses a spec of another kind', async () => {
      const other: ProviderSpec =
        f.spec.kind === 'web'
          ? { kind: 'builtin' }
          : { kind: 'web', method: 'GET', headers: {}, timeoutMs: 1_000 };
      const r = await settled(f.provider.query(other, f.data.query, f.data.at));
      expect(r.ok).toBe(false);
    });

    it('honours an already aborted signal', async () => {
      const controller = new AbortController();
      controller.abort();
      const r = await settled(f.provider.query(f.spec, f.data.query, f.data.at, controller.signal));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/abort/);
    });

    describe('remote endpoints (HTTP providers)', () => {
      it('answers an error for a dead endpoint', async (ctx) => {
        if (!f.remote) return ctx.skip();
        const r = await settled(f.provider.query(f.remote.dead.spec, f.remote.dead.query, f.data.at));
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toMatch(/ECONNREFUSED|refused/i);
      });

      it('answers an error when the endpoint does not answer within the timeout', async (ctx) => {
        if (!f.remote) return ctx.skip();
        const { spec, query } = f.remote.hanging;
        const r = await settled(f.provider.query(spec(150), query, f.data.at));
        expect(r).toEqual({ ok: false, error: expect.stringMatching(/timed out after 150 ms/) });
      });

      it('stops waiting when the caller aborts', async (ctx) => {
        if (!f.remote) return ctx.skip();
        const { spec, query } = f.remote.hanging;
        const controller = new AbortController();
        const pending = settled(f.provider.query(spec(600_000), query, f.data.at, controller.signal));
        setTimeout(() => controller.abort(), 50);
        const r = await pending;
        expect(r).toEqual({ ok: false, error: expect.stringMatching(/aborted/) });
      });

      it('answers an error for a garbage answer', async (ctx) => {
        if (!f.remote) return ctx.skip();
        const r = await settled(f.provider.query(f.remote.garbage.spec, f.remote.garbage.query, f.data.at));
        expect(r.ok).toBe(false);
      });
    });
  });
}

/** Fails the test (rather than the process) if the provider broke its promise never to reject. */
async function settled(p: Promise<QueryResult>): Promise<QueryResult> {
  try {
    return await p;
  } catch (e) {
    throw new Error(`the provider threw instead of answering {ok:false}: ${String(e)}`);
  }
}

function bySeries(series: readonly Series[]): Series[] {
  const key = (s: Series) => JSON.stringify(Object.entries(s.labels).sort());
  return [...series].sort((a, b) => key(a).localeCompare(key(b)));
}
