/**
 * Test helper: starts simulated services in-process on free ports, with a no-op sleep (no test waits a
 * simulated latency) and every drawn latency collected, sharing one temporary ledger directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario, ServiceName } from '../scenarios.js';
import { type RunningService, type ServiceOptions, startService } from '../service.js';

export interface TestPlatform {
  readonly dataDir: string;
  /** Latencies drawn, by `service/version/stream`. */
  readonly latencies: Map<string, number[]>;
  start(
    service: ServiceName,
    version: string,
    scenario?: Scenario,
    extra?: Partial<ServiceOptions>,
  ): Promise<RunningService>;
  close(): Promise<void>;
}

export function testPlatform(seed = 7): TestPlatform {
  const dataDir = mkdtempSync(join(tmpdir(), 'pitboss-demo-'));
  const running: RunningService[] = [];
  const latencies = new Map<string, number[]>();
  return {
    dataDir,
    latencies,
    async start(service, version, scenario = 'healthy', extra = {}) {
      const s = await startService({
        service,
        version,
        scenario,
        dataDir,
        seed,
        sleep: async () => undefined,
        onLatency: (what, ms) => {
          const key = `${service}/${version}/${what}`;
          latencies.set(key, [...(latencies.get(key) ?? []), ms]);
        },
        ...extra,
      });
      running.push(s);
      return s;
    },
    async close() {
      await Promise.all(running.splice(0).map((s) => s.close()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs JSON (or raw text) and returns status, headers and the parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export async function get(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
