import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  DEMO_SERVICES,
  demoGatewayYaml,
  type GatewayService,
  type PlatformService,
} from './gateway-config.js';
import type { Scenario } from './platform/scenarios.js';
import { type ManagedProcess, PITBOSS_BIN, type ProcessGroup, RUN_SERVICE } from './processes.js';

/** Environment variable carrying the gateway admin token to the gateway and the control plane (never argv). */
export const GATEWAY_TOKEN_ENV = 'PITBOSS_DEMO_GATEWAY_TOKEN';

/** The two builds each service runs: the stable one and the canary (which a fix may replace, `v2.1`). */
export type Slot = 'v1' | 'v2';

/** A platform service build, listening. */
export interface ServiceProcess {
  readonly service: PlatformService;
  /** The build's version: `v1`, `v2`, `v2.1`… (only `v2` carries the scenario's faults). */
  readonly version: string;
  readonly scenario: Scenario;
  readonly url: string;
  readonly process: ManagedProcess<unknown>;
}

/** `{"ready":true,"service":"wallet","version":"v2","port":N}` (demo/platform/run-service.ts). */
export function serviceReady(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  const parsed = JSON.parse(line) as { ready?: unknown; port?: unknown };
  return parsed.ready === true && typeof parsed.port === 'number' ? parsed.port : undefined;
}

/** The gateway's pino line `gateway listening` with its player and admin URLs (cli/gateway-command.ts). */
export function gatewayReady(line: string): { url: string; admin: string } | undefined {
  if (!line.startsWith('{')) return undefined;
  const entry = JSON.parse(line) as { msg?: unknown; url?: unknown; admin?: unknown };
  return entry.msg === 'gateway listening' && typeof entry.url === 'string' && typeof entry.admin === 'string'
    ? { url: entry.url, admin: entry.admin }
    : undefined;
}

/** Fastify's `Server listening at http://127.0.0.1:4242` line, as pino JSON. */
export function serverReady(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  const entry = JSON.parse(line) as { msg?: unknown };
  return typeof entry.msg === 'string'
    ? /^Server listening at (http:\/\/\S+)/.exec(entry.msg)?.[1]
    : undefined;
}

/** `port` when nothing listens on it yet, else 0 (any free port): `npm start` must not fail on a busy 8080. */
export function portOrAny(port: number): Promise<number> {
  if (port === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

/** Environment of the platform services: no Pitboss secret reaches them. */
function serviceEnv(): NodeJS.ProcessEnv {
  const { PITBOSS_ADMIN_TOKEN: _a, [GATEWAY_TOKEN_ENV]: _g, ...env } = process.env;
  return env;
}

export function startService(
  group: ProcessGroup,
  options: { service: PlatformService; version: string; scenario: Scenario; dataDir: string; seed: number },
): Promise<ServiceProcess> {
  const { service, version, scenario } = options;
  const p = group.start({
    name: `${service}-${version}`,
    args: [
      RUN_SERVICE,
      ...['--service', service, '--version', version, '--scenario', scenario],
      ...['--port', '0', '--data', options.dataDir, '--seed', String(options.seed)],
    ],
    env: serviceEnv(),
    ready: serviceReady,
  });
  return p.ready.then((port) => ({
    service,
    version,
    scenario,
    url: `http://127.0.0.1:${port}`,
    process: p as ManagedProcess<unknown>,
  }));
}

export type Platform = Record<GatewayService, Record<Slot, ServiceProcess>>;

/** Ten processes, every service in v1 and v2, started together. */
export async function startPlatform(
  group: ProcessGroup,
  options: { scenario: Scenario; dataDir: string; seed: number },
): Promise<Platform> {
  const names = Object.keys(DEMO_SERVICES) as GatewayService[];
  const started = await Promise.all(
    names.flatMap((name) =>
      (['v1', 'v2'] as const).map((version) =>
        startService(group, { ...options, service: DEMO_SERVICES[name], version }),
      ),
    ),
  );
  const platform = {} as Platform;
  for (const [i, name] of names.entries()) platform[name] = { v1: started[2 * i]!, v2: started[2 * i + 1]! };
  return platform;
}

export interface GatewayProcessInfo {
  readonly url: string;
  readonly adminUrl: string;
  readonly process: ManagedProcess<unknown>;
}

/** Writes the gateway config into the demo directory and starts `pitboss gateway` with an admin API. */
export async function startDemoGateway(
  group: ProcessGroup,
  options: { platform: Platform; port: number; speed: number; demoDir: string; token: string },
): Promise<GatewayProcessInfo> {
  const upstreams = Object.fromEntries(
    Object.entries(options.platform).map(([name, v]) => [name, { v1: v.v1.url, v2: v.v2.url }]),
  ) as Record<GatewayService, { v1: string; v2: string }>;
  const file = join(options.demoDir, 'gateway.yaml');
  await writeFile(file, demoGatewayYaml({ port: options.port, upstreams, speed: options.speed }));
  const p = group.start({
    name: 'gateway',
    args: [
      PITBOSS_BIN,
      'gateway',
      ...[
        '--config',
        file,
        '--admin-port',
        '0',
        '--admin-token-env',
        GATEWAY_TOKEN_ENV,
        '--log-level',
        'info',
      ],
    ],
    env: { ...serviceEnv(), [GATEWAY_TOKEN_ENV]: options.token },
    ready: gatewayReady,
  });
  const ready = await p.ready;
  return { url: ready.url, adminUrl: ready.admin, process: p as ManagedProcess<unknown> };
}

export interface ControlPlaneInfo {
  readonly url: string;
  readonly process: ManagedProcess<unknown>;
}

/** `pitboss server` on SQLite in the data directory, driving the gateway and measuring through its admin API. */
export async function startControlPlane(
  group: ProcessGroup,
  options: {
    port: number;
    dataDir: string;
    adminToken: string;
    gatewayAdminUrl: string;
    gatewayToken: string;
  },
): Promise<ControlPlaneInfo> {
  const p = group.start({
    name: 'control-plane',
    args: [
      PITBOSS_BIN,
      'server',
      ...['--port', String(options.port), '--host', '127.0.0.1'],
      ...['--database', `sqlite:${join(options.dataDir, 'pitboss.db')}`, '--router', 'gateway'],
      ...['--gateway-admin-url', options.gatewayAdminUrl, '--gateway-admin-token-env', GATEWAY_TOKEN_ENV],
      ...['--log-level', 'info'],
    ],
    env: {
      ...process.env,
      PITBOSS_ADMIN_TOKEN: options.adminToken,
      [GATEWAY_TOKEN_ENV]: options.gatewayToken,
    },
    ready: serverReady,
    // A first start on a cold disk runs every migration.
    readyTimeoutMs: 120_000,
  });
  return { url: await p.ready, process: p as ManagedProcess<unknown> };
}
