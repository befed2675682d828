import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderSpec } from '../analysis-template.js';
import type { QueryResult, Series } from '../provider.js';
import { PrometheusProvider } from './prometheus.js';

// A real Prometheus (Debian's `prometheus` package; `.ci/run` installs it) on its own port and storage, scraping
// a small test service every second. It never uses the packaged service or port 9090, which may be running.
const PROMETHEUS = '/usr/bin/prometheus';
const available = existsSync(PROMETHEUS);
// In CI the binary must be there: a missing one fails the run instead of skipping quietly.
const run = available || Boolean(process.env.CI);
const WAIT_MS = 60_000;

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

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  died: () => string | undefined,
): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    const exit = died();
    if (exit) throw new Error(`prometheus exited while waiting for ${what}: ${exit}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what} (${WAIT_MS} ms); last problem: ${String(last)}`);
}

const byPsp = (series: readonly Series[]) =>
  Object.fromEntries(series.map((s) => [s.labels.psp ?? '', s.value]));

describe.skipIf(!run)(
  run
    ? 'prometheus provider against a real Prometheus'
    : `prometheus provider against a real Prometheus — SKIPPED: ${PROMETHEUS} is absent (apt-get install prometheus; .ci/run does)`,
  () => {
    let dir: string;
    let service: http.Server;
    let prometheus: ChildProcess | undefined;
    let exited: string | undefined;
    let stderr = '';
    let address: string;
    let spec: ProviderSpec;
    const provider = new PrometheusProvider();
    const query = (q: string): Promise<QueryResult> => provider.query(spec, q, new Date());

    beforeAll(
      async () => {
        dir = mkdtempSync(join(tmpdir(), 'pitboss-prometheus-'));
        let scrapes = 0;
        service = http.createServer((req, res) => {
          if (req.url !== '/metrics') return res.writeHead(404).end();
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
          res.end(exposition(++scrapes));
        });
        await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
        const target = `127.0.0.1:${(service.address() as AddressInfo).port}`;
        writeFileSync(
          join(dir, 'prometheus.yml'),
          [
            'global:',
            '  scrape_interval: 1s',
            '  scrape_timeout: 1s',
            'scrape_configs:',
            '  - job_name: pitboss-e2e',
            '    static_configs:',
            `      - targets: ['${target}']`,
            '',
          ].join('\n'),
        );
        const port = await freePort();
        address = `http://127.0.0.1:${port}`;
        spec = { kind: 'prometheus', address, timeoutMs: 5_000, headers: {} };
        prometheus = spawn(
          PROMETHEUS,
          [
            `--config.file=${join(dir, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            `--web.listen-address=127.0.0.1:${port}`,
            '--log.level=warn',
          ],
          // Its own process group, so afterAll can stop it and anything it started.
          { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
        );
        prometheus.stderr?.on('data', (b: Buffer) => {
          stderr = (stderr + b.toString()).slice(-4_000);
        });
        prometheus.on('error', (e) => {
          exited = `cannot start ${PROMETHEUS}: ${e.message}`;
        });
        prometheus.on('exit', (code, signal) => {
          exited ??= `exit code ${code}, signal ${signal}; stderr: ${stderr}`;
        });
        await waitFor(
          'readiness',
          async () => ((await fetch(`${address}/-/ready`)).ok ? true : undefined),
          () => exited,
        );
        // Data appears after the first scrapes; poll until every PSP of v2 is there.
        await waitFor(
          'the first scrapes',
          async () => {
            const r = await query('sum by (psp) (pitboss_e2e_deposits_total{version="v2"})');
            return r.ok && r.series.length === 2 ? true : undefined;
          },
          () => exited,
        );
      },
      2 * WAIT_MS + 10_000,
    );

    afterAll(async () => {
      const child = prometheus;
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          // already gone
        }
        const killer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // already gone
          }
        }, 10_000);
        await gone;
        clearTimeout(killer);
      }
      await new Promise<void>((resolve) => (service ? service.close(() => resolve()) : resolve()));
      if (dir) rmSync(dir, { recursive: true, force: true });
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
          () => exited,
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
