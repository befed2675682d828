import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../analysis-template.js';
import type { QueryResult, Series } from '../provider.js';
import { PrometheusProvider } from './prometheus.js';
import {
  PROMETHEUS_SKIPPED,
  PrometheusProcess,
  runPrometheusTests as run,
  WAIT_MS,
  waitFor,
} from './testing/prometheus-process.js';

// A real Prometheus (testing/prometheus-process.ts) on its own port and storage, scraping a small test service
// every second.

/** Fixed counters (exact answers) plus one that grows with every scrape (for `rate`). */
function exposition(scrapes: number): string {
  const lines = [
    '# HELP pitboss_e2e_deposits_total Deposits by version, PSP and outcome.',
    '# TYPE pitboss_e2e_deposits_total counter',
  ];
  const counts: [string, string, string, number][] = [
    ['v1', 'A', 'success', 990],
    ['v1', 'A', 'failure', 10],
    ['v2', 'A', 'success', 495],
    ['v2', 'A', 'failure', 5],
    ['v2', 'B', 'success', 485],
    ['v2', 'B', 'failure', 15],
  ];
  for (const [version, psp, outcome, n] of counts) {
    lines.push(`pitboss_e2e_deposits_total{version="${version}",psp="${psp}",outcome="${outcome}"} ${n}`);
  }
  lines.push(
    '# TYPE pitboss_e2e_requests_total counter',
    `pitboss_e2e_requests_total{version="v2"} ${scrapes * 10}`,
  );
  return `${lines.join('\n')}\n`;
}

const byPsp = (series: readonly Series[]) =>
  Object.fromEntries(series.map((s) => [s.labels.psp ?? '', s.value]));

describe.skipIf(!run)(
  run
    ? 'prometheus provider against a real Prometheus'
    : `prometheus provider against a real Prometheus — ${PROMETHEUS_SKIPPED}`,
  () => {
    let service: http.Server;
    let prometheus: PrometheusProcess | undefined;
    let spec: ProviderSpec;
    const died = () => prometheus?.exited;
    const provider = new PrometheusProvider();
    const query = (q: string): Promise<QueryResult> => provider.query(spec, q, new Date());

    beforeAll(
      async () => {
        let scrapes = 0;
        service = http.createServer((req, res) => {
          if (req.url !== '/metrics') return res.writeHead(404).end();
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(exposition(++scrapes));
        });
        await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
        const target = `127.0.0.1:${(service.address() as AddressInfo).port}`;
        prometheus = await PrometheusProcess.start({ targets: [target] });
        spec = { kind: 'prometheus', address: prometheus.address, timeoutMs: 5_000, headers: {} };
        // Data appears after the first scrapes; poll until every PSP of v2 is there.
        await waitFor(
          'the first scrapes',
          async () => {
            const r = await query('sum by (psp) (pitboss_e2e_deposits_total{version="v2"})');
            return r.ok && r.series.length === 2 ? true : undefined;
          },
          died,
        );
      },
      2 * WAIT_MS + 10_000,
    );

    afterAll(async () => {
      await prometheus?.close();
      await new Promise<void>((resolve) => (service ? service.close(() => resolve()) : resolve()));
    }, 30_000);

    it('answers an instant vector with one series per element and its labels', async () => {
      const r = await query('sum by (psp) (pitboss_e2e_deposits_total{version="v2"})');
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) {
        expect(byPsp(r.series)).toEqual({ A: 500, B: 500 });
        expect(r.series.every((s) => Object.keys(s.labels).join() === 'psp')).toBe(true);
      }
    });

    it('answers a ratio per PSP', async () => {
      const r = await query(
        'sum by (psp) (pitboss_e2e_deposits_total{version="v2",outcome="success"}) / sum by (psp) (pitboss_e2e_deposits_total{version="v2"})',
      );
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) {
        const ratios = byPsp(r.series);
        expect(ratios.A).toBeCloseTo(0.99, 12);
        expect(ratios.B).toBeCloseTo(0.97, 12);
      }
    });

    it('answers a scalar as one unlabelled series', async () => {
      expect(await query('scalar(sum(pitboss_e2e_deposits_total{version="v1",outcome="failure"}))')).toEqual({
        ok: true,
        series: [{ labels: {}, value: 10 }],
      });
    });

    it(
      'answers a rate once two scrapes are in',
      async () => {
        const value = await waitFor(
          'a rate',
          async () => {
            const r = await query('sum(rate(pitboss_e2e_requests_total{version="v2"}[30s]))');
            const v = r.ok ? r.series[0]?.value : undefined;
            return typeof v === 'number' && v > 0 ? v : undefined;
          },
          died,
        );
        expect(value).toBeGreaterThan(0);
      },
      WAIT_MS + 10_000,
    );

    it('answers no data for a missing metric and for NaN', async () => {
      expect(await query('pitboss_e2e_missing_total')).toEqual({ ok: true, series: [] });
      expect(
        await query(
          'sum(pitboss_e2e_deposits_total{version="v3"}) / sum(pitboss_e2e_deposits_total{version="v3"})',
        ),
      ).toEqual({
        ok: true,
        series: [],
      });
      expect(await query('vector(0) / vector(0)')).toEqual({ ok: true, series: [] });
    });

    it("answers Prometheus's error for bad PromQL", async () => {
      const r = await query('sum(pitboss_e2e_deposits_total');
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^prometheus: bad_data: .*parse error/);
    });

    it('refuses a range vector', async () => {
      const r = await query('pitboss_e2e_deposits_total[1m]');
      expect(r).toEqual({ ok: false, error: expect.stringMatching(/range vector/) });
    });
  },
);
