import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gatewayConfig, serviceConfig } from '../gateway/index.js';
import { startUpstream, type TestUpstream } from '../gateway/testing/upstream-server.js';
import { type RunningServer, startServer } from '../server.js';
import type { HistoryEntry, RolloutView } from './rollout-view.js';
import { PlayerLoad } from './testing/player-load.js';

/**
 * Issues 5 and 6 together: the rollout controller moves a release through the built-in gateway running in the
 * control plane's process, and judges it by what that gateway measured (the `builtin` provider reading its
 * TrafficStats). Real sockets throughout: two wallet upstreams, the gateway, the API over HTTP, and players
 * depositing through the gateway while the release moves. No assertion depends on timing: each case polls the
 * API until the rollout is terminal, with a generous deadline.
 */

const ADMIN = 'pb_api_gateway_rollout_e2e_admin_0001';
const TERMINAL_MS = 45_000;

let dir: string;
let v1: TestUpstream;
let v2: TestUpstream;
let server: RunningServer | undefined;
let load: PlayerLoad | undefined;

/** A wallet answering deposits with a PSP cycling A/B/C; `failEvery` of each 10 deposits answer 500. */
function wallet(upstream: TestUpstream, version: string, failing = 0): void {
  let n = 0;
  upstream.handle((_req, res) => {
    const i = n++;
    const psp = ['A', 'B', 'C'][i % 3]!;
    const status = i % 10 < failing ? 500 : 200;
    const body = JSON.stringify({ version, ok: status === 200 });
    res.writeHead(status, { 'content-type': 'application/json', 'x-psp': psp });
    res.end(body);
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pitboss-gateway-rollout-'));
  v1 = await startUpstream('v1');
  v2 = await startUpstream('v2');
  wallet(v1, 'v1');
});

afterEach(async () => {
  await load?.stop();
  load = undefined;
  await server?.close();
  server = undefined;
  await v1.close();
  await v2.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(): Promise<RunningServer> {
  const config = gatewayConfig({
    services: [
      serviceConfig({
        name: 'wallet',
        match: { pathPrefix: '/wallet' },
        stable: { version: 'v1', upstreams: [v1.url] },
        canary: { version: 'v2', upstreams: [v2.url] },
        context: { playerId: { header: 'x-player-id' } },
        endpoints: [{ name: 'deposit', method: 'POST', path: '/wallet/deposit', pspHeader: 'x-psp' }],
      }),
    ],
  });
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    database: `sqlite:${join(dir, 'pitboss.db')}`,
    adminToken: ADMIN,
    gateway: { config },
    logLevel: 'silent',
  });
  return server;
}

/** Deposit success per PSP since the analysis began, canary and baseline, on the gateway's own measurements. */
function depositsTemplate(count: number) {
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'gateway-deposits' },
    spec: {
      metrics: [
        {
          name: 'deposit-success-by-psp',
          interval: '1s',
          initialDelay: '1s',
          count,
          dimension: 'psp',
          successCondition: 'result >= 0.95',
          provider: {
            builtin: {
              query:
                'success_ratio{service="wallet",endpoint="deposit",version="{{version}}"}[{{window}}] by (psp)',
            },
          },
        },
      ],
    },
  };
}

function rollout() {
  const analysis = { analysis: { templates: [{ templateName: 'gateway-deposits' }] } };
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'Rollout',
    metadata: { name: 'wallet' },
    spec: {
      service: 'wallet',
      stable: { version: 'v1', upstreams: [v1.url] },
      canary: { version: 'v2', upstreams: [v2.url] },
      stickiness: 'playerId',
      strategy: {
        canary: { steps: [{ setWeight: 20 }, analysis, { setWeight: 50 }, analysis, { setWeight: 100 }] },
      },
    },
  };
}

async function api<T>(
  s: RunningServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls the rollout until it is Healthy or Aborted with its routing confirmed (or fails with the last status). */
async function settled(s: RunningServer): Promise<RolloutView> {
  const deadline = Date.now() + TERMINAL_MS;
  let last: RolloutView | undefined;
  while (Date.now() < deadline) {
    last = (await api<RolloutView>(s, 'GET', '/api/v1/rollouts/wallet')).body;
    if ((last.phase === 'Healthy' || last.phase === 'Aborted') && last.routeConfirmed) return last;
    // Anything else terminal-looking would hang the case: a pause waits for a person.
    if (last.phase === 'Paused') throw new Error(`rollout paused: ${last.reason}: ${last.message}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`rollout not settled in ${TERMINAL_MS} ms: ${JSON.stringify(last)}`);
}

async function history(s: RunningServer): Promise<HistoryEntry[]> {
  return (await api<{ entries: HistoryEntry[] }>(s, 'GET', '/api/v1/rollouts/wallet/history')).body.entries;
}

/**
 * Starts the control plane with its gateway, 200 players playing through it, and the wallet release gated on
 * deposits (`count` measurements per analysis step).
 */
async function releaseUnderLoad(
  count: number,
): Promise<{ s: RunningServer; gateway: NonNullable<RunningServer['gateway']> }> {
  const s = await start();
  const gateway = s.gateway!;
  load = PlayerLoad.start({
    url: gateway.url,
    players: 200,
    workers: 4,
    weight: () => gateway.gateway.route('wallet')?.weight,
  });
  const started = await api<RolloutView>(s, 'POST', '/api/v1/rollouts', {
    rollout: rollout(),
    templates: [depositsTemplate(count)],
  });
  expect(started.status).toBe(201);
  return { s, gateway };
}

describe('a release through the built-in gateway, judged by its measurements', () => {
  it('walks a healthy v2 to 100 %, keeping every player who got v2 on v2 as the weight grows', async () => {
    wallet(v2, 'v2');
    const { s, gateway } = await releaseUnderLoad(3);

    const done = await settled(s);
    await load.stop();
    expect(done.phase).toBe('Healthy');
    expect(done.route.weight).toBe(100);
    expect(gateway.gateway.route('wallet')).toEqual({ weight: 100, mirror: 0 });
    // Both analyses passed, which takes at least one successful measurement each: missing data (no canary
    // traffic measured) would have left them undecided and paused the rollout.
    const entries = await history(s);
    const events = entries.map((e) => e.event);
    const passed = entries.filter((e) => e.event === 'AnalysisSucceeded').map((e) => e.message);
    expect(passed).toEqual([
      expect.stringMatching(/^step 1 \(analysis gateway-deposits\) done/),
      expect.stringMatching(/^step 3 \(analysis gateway-deposits\) done/),
    ]);
    expect(events.at(-1)).toBe('Completed');

    const served = load.served;
    expect(served.filter((r) => r.status !== 200)).toEqual([]);
    // Sticky through the release: at 20 % a fifth of the players got v2, each always the same version, and no
    // player ever went back from v2 to v1 while the weight grew to 50 % and 100 %.
    const at20 = load.versionsAt(20);
    const onV2 = [...at20].filter(([, versions]) => versions.has('v2')).map(([player]) => player);
    for (const versions of at20.values()) expect(versions.size).toBe(1);
    expect(onV2.length / at20.size).toBeGreaterThan(0.08);
    expect(onV2.length / at20.size).toBeLessThan(0.35);
    for (const player of onV2) {
      const later = served.filter((r) => r.player === player && r.weight !== undefined && r.weight >= 20);
      expect(later.every((r) => r.version === 'v2')).toBe(true);
    }
    for (const player of new Set(served.map((r) => r.player))) {
      const versions = served.filter((r) => r.player === player).map((r) => r.version);
      const first = versions.indexOf('v2');
      if (first >= 0) expect(versions.slice(first)).not.toContain('v1');
    }
    // At 50 % more players were on v2 than at 20 %, and those of 20 % were still among them.
    const at50 = load.versionsAt(50);
    const onV2At50 = [...at50].filter(([, v]) => v.has('v2')).map(([p]) => p);
    expect(onV2At50.length).toBeGreaterThan(onV2.length);
    for (const player of onV2) if (at50.has(player)) expect(at50.get(player)).toEqual(new Set(['v2']));

    // The gateway's Prometheus metrics name the step each routing was applied for.
    const metrics = await gateway.gateway.metrics.registry.metrics();
    const steps = new Set(
      [
        ...metrics.matchAll(/pitboss_gateway_requests_total\{[^}]*version="v2"[^}]*rollout_step="(\d*)"/g),
      ].map((m) => m[1]),
    );
    for (const step of ['0', '2', '4']) expect(steps).toContain(step);
  });

  it('rolls back a v2 failing 30 % of deposits: weight 0, every player back on v1, the metric named', async () => {
    wallet(v2, 'v2', 3);
    const { s, gateway } = await releaseUnderLoad(15);

    const done = await settled(s);
    await load.stop();
    expect(done.phase).toBe('Aborted');
    expect(done.reason).toBe('AnalysisFailed');
    expect(done.message).toContain('deposit-success-by-psp');
    // The verdict rests on the gateway's figures per version and PSP: about 70 % for v2 at every PSP, v1 clean.
    const values = done.gates.find((g) => g.run === 'step-1')?.metrics[0]?.last?.values ?? [];
    const canary = values.filter((v) => v.arm === 'canary');
    expect(canary.map((v) => v.dimension).sort()).toEqual(['A', 'B', 'C']);
    for (const v of canary) expect(Number(v.value)).toBeGreaterThan(0.5);
    for (const v of canary) expect(Number(v.value)).toBeLessThan(0.9);
    expect(values.filter((v) => v.arm === 'baseline').map((v) => v.value)).toEqual([1, 1, 1]);
    expect(done.route.weight).toBe(0);
    expect(gateway.gateway.route('wallet')).toEqual({ weight: 0, mirror: 0 });
    // The canary really took (and failed) deposits before the verdict, and it was judged at 20 %.
    expect(load.served.some((r) => r.version === 'v2' && r.status === 500)).toBe(true);
    expect(done.stepIndex).toBe(1);
    const events = (await history(s)).map((e) => e.event);
    expect(events).toContain('AnalysisFailed');
    expect(events).toContain('RolledBack');

    // Every player is served by v1 now, those who had v2 first among them.
    const hadV2 = [...new Set(load.served.filter((r) => r.version === 'v2').map((r) => r.player))];
    expect(hadV2.length).toBeGreaterThan(0);
    const v2Before = v2.seen.length;
    for (const player of [...hadV2, ...Array.from({ length: 50 }, (_, i) => `after-${i}`)]) {
      const res = await fetch(`${gateway.url}/wallet/deposit`, {
        method: 'POST',
        headers: { 'x-player-id': player, 'content-type': 'application/json' },
        body: '{"amount":10}',
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      expect(res.headers.get('x-pitboss-version')).toBe('v1');
    }
    expect(v2.seen.length).toBe(v2Before);
  });
});

// The installed command (its shim imports the built dist: `npm test` builds first).
const BIN = fileURLToPath(new URL('../../bin/pitboss.js', import.meta.url));

/** The URLs a `pitboss server` process logs (pino JSON lines on stdout) once the API and the gateway listen. */
function listening(proc: ChildProcess): Promise<{ api: string; gateway: string }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const found: { api?: string; gateway?: string } = {};
    const fail = (code: number | null) => reject(new Error(`pitboss server exited with ${code}: ${buffer}`));
    proc.once('exit', fail);
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      for (const line of buffer.split('\n')) {
        const entry = (() => {
          try {
            return JSON.parse(line) as { msg?: string; url?: string };
          } catch {
            return undefined;
          }
        })();
        if (entry?.msg === 'gateway listening' && entry.url) found.gateway = entry.url;
        const api = entry?.msg?.match(/^Server listening at (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
        if (api) found.api = api;
      }
      if (found.api && found.gateway) {
        proc.off('exit', fail);
        resolve({ api: found.api, gateway: found.gateway });
      }
    });
  });
}

async function gatewayYaml(): Promise<string> {
  const file = join(dir, 'gateway.yaml');
  await writeFile(
    file,
    [
      'kind: Gateway',
      'spec:',
      '  listen: {host: 127.0.0.1, port: 0}',
      '  services:',
      '    - name: wallet',
      '      match: {pathPrefix: /wallet}',
      `      stable: {version: v1, upstreams: ['${v1.url}']}`,
      `      canary: {version: v2, upstreams: ['${v2.url}']}`,
      '      endpoints: [{name: deposit, method: POST, path: /wallet/deposit, pspHeader: x-psp}]',
      '',
    ].join('\n'),
  );
  return file;
}

describe('pitboss server --gateway-config', () => {
  it('runs the gateway in the control plane, drives it from a rollout, and exits cleanly on SIGTERM', async () => {
    wallet(v2, 'v2');
    const file = await gatewayYaml();
    const proc = spawn(
      process.execPath,
      [
        BIN,
        'server',
        ...['--port', '0', '--host', '127.0.0.1', '--database', `sqlite:${join(dir, 'cli.db')}`],
        ...['--gateway-config', file, '--log-level', 'info'],
      ],
      { env: { ...process.env, PITBOSS_ADMIN_TOKEN: ADMIN }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdin?.end();
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    try {
      const urls = await listening(proc);
      const deposit = () =>
        fetch(`${urls.gateway}/wallet/deposit`, {
          method: 'POST',
          headers: { 'x-player-id': 'p-1' },
          body: '{}',
        });
      const before = await deposit();
      expect(before.status).toBe(200);
      expect(before.headers.get('x-pitboss-version')).toBe('v1');
      expect(before.headers.get('x-psp')).toBe('A');

      // The rollout driver's router is the in-process gateway: a one-step rollout moves its live traffic.
      const started = await fetch(`${urls.api}/api/v1/rollouts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          ...rollout(),
          spec: { ...rollout().spec, strategy: { canary: { steps: [{ setWeight: 100 }] } } },
        }),
      });
      expect(started.status).toBe(201);
      const deadline = Date.now() + TERMINAL_MS;
      let phase = '';
      while (phase !== 'Healthy' && Date.now() < deadline) {
        const res = await fetch(`${urls.api}/api/v1/rollouts/wallet`, {
          headers: { authorization: `Bearer ${ADMIN}` },
        });
        phase = ((await res.json()) as RolloutView).phase;
        if (phase !== 'Healthy') await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(phase).toBe('Healthy');
      expect((await deposit()).headers.get('x-pitboss-version')).toBe('v2');
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits with the error when the start fails after the gateway listens, instead of hanging on its socket', async () => {
    const file = await gatewayYaml();
    const proc = spawn(
      process.execPath,
      [
        BIN,
        'server',
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--database',
        `sqlite:${join(dir, 'bad.db')}`,
      ].concat(['--gateway-config', file, '--log-level', 'warn']),
      { env: { ...process.env, PITBOSS_ADMIN_TOKEN: 'not-a-token' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      proc.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code).toBe(2);
    expect(stderr).toContain('PITBOSS_ADMIN_TOKEN must look like pb_api_');
  });
});
