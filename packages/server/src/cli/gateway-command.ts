import type { Command } from 'commander';
import pino from 'pino';
import { startAdminServer } from '../gateway/admin-api.js';
import type { GatewayConfig } from '../gateway/gateway-config.js';
import { mintOverrideToken, type RunningGateway, readGatewayConfig, startGateway } from '../gateway/index.js';
import { TrafficStats } from '../gateway/traffic-stats.js';
import { formatDuration, parseDuration } from '../rollouts/duration.js';
import { CliError } from './cli-error.js';
import { type FileDiagnostic, readDocument } from './document.js';
import { byPosition, formatDiagnostic } from './format-diagnostics.js';
import { writeOut } from './output.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A gateway config file read and checked, every problem placed on its lines (like `pitboss validate`). */
export async function loadGatewayConfigFile(
  file: string,
  env: Env = process.env,
): Promise<{ config?: GatewayConfig; diagnostics: FileDiagnostic[] }> {
  const doc = await readDocument(file);
  if (doc.value === undefined) return { diagnostics: [...doc.diagnostics] };
  const read = readGatewayConfig(doc.value, { env });
  const diagnostics = [...doc.diagnostics, ...read.diagnostics.map((d) => doc.locate(d))].sort(byPosition);
  const failed = diagnostics.some((d) => d.severity === 'error');
  return failed || !read.config ? { diagnostics } : { config: read.config, diagnostics };
}

export interface GatewayRunOptions {
  readonly config: string;
  readonly adminPort?: number;
  readonly adminHost: string;
  readonly adminTokenEnv?: string;
  readonly overrideSecretEnv?: string;
  readonly logLevel: string;
}

export interface GatewayProcess {
  readonly running: RunningGateway;
  readonly adminUrl?: string;
  /** Re-reads the config file; on errors the running config stays and the diagnostics are returned. */
  reload(): Promise<FileDiagnostic[]>;
  close(): Promise<void>;
}

/** Starts the gateway (and its admin API) from a config file: what `pitboss gateway` runs. */
export async function runGateway(
  options: GatewayRunOptions,
  env: Env = process.env,
): Promise<GatewayProcess> {
  const secret = (name: string | undefined, flag: string): string | undefined => {
    if (name === undefined) return undefined;
    const value = env[name];
    if (!value) throw new CliError(`${flag}: environment variable ${name} is not set`, 2);
    return value;
  };
  const adminToken = secret(options.adminTokenEnv, '--admin-token-env');
  if (options.adminPort !== undefined && adminToken === undefined)
    throw new CliError('--admin-port needs --admin-token-env: the admin API changes routing', 2);
  const overrideSecret = secret(options.overrideSecretEnv, '--override-secret-env');
  const loaded = await loadGatewayConfigFile(options.config, env);
  await report(loaded.diagnostics);
  if (!loaded.config) throw new CliError(`${options.config}: not a valid gateway config`, 1);
  const logger = pino({ level: options.logLevel });
  const trafficStats = new TrafficStats();
  const running = await startGateway({
    config: loaded.config,
    trafficStats,
    logger,
    ...(overrideSecret ? { overrideSecret } : {}),
  });
  const admin =
    options.adminPort === undefined
      ? undefined
      : await startAdminServer(running.gateway, {
          host: options.adminHost,
          port: options.adminPort,
          token: adminToken!,
          trafficStats,
        });
  logger.info(
    { url: running.url, admin: admin?.url, overrides: overrideSecret !== undefined },
    'gateway listening',
  );
  return {
    running,
    ...(admin ? { adminUrl: admin.url } : {}),
    async reload() {
      const next = await loadGatewayConfigFile(options.config, env);
      if (next.config) running.gateway.reconfigure(next.config);
      else logger.error({ file: options.config }, 'config not reloaded: it has errors');
      return next.diagnostics;
    },
    async close() {
      await admin?.close();
      await running.close();
    },
  };
}

/**
 * `pitboss gateway --config gateway.yaml [--admin-port N --admin-token-env VAR] [--override-secret-env VAR]`:
 * the built-in gateway. SIGHUP reloads the config file without dropping connections; SIGINT/SIGTERM stop it
 * gracefully. `pitboss gateway token …` mints an override token for testers.
 */
export function registerGatewayCommand(program: Command): void {
  // `gateway token --version v2`: without positional options the root's -V/--version would take that flag
  // wherever it appears and print Pitboss's version. Root options must then come before the subcommand, which
  // changes nothing for the root's only options, --version and --help.
  program.enablePositionalOptions();
  const gateway = program
    .command('gateway')
    .description(
      'run the built-in gateway: HTTP and WebSocket proxy splitting traffic between stable and canary',
    )
    .option('--config <file>', 'gateway config (kind: Gateway), YAML or JSON')
    .option('--check', 'only check the config file and print its problems')
    .option('--admin-port <port>', 'port of the admin API (routes for the control plane, /metrics)')
    .option('--admin-host <host>', 'address of the admin API', '127.0.0.1')
    .option('--admin-token-env <var>', 'environment variable holding the admin API bearer token')
    .option('--override-secret-env <var>', 'environment variable holding the override-token secret')
    .option('--log-level <level>', 'pino log level', 'info')
    .action(async (opts: Record<string, string | boolean | undefined>) => {
      const file = opts.config as string | undefined;
      if (!file) throw new CliError('--config <file> is required', 2);
      if (opts.check) {
        const { diagnostics } = await loadGatewayConfigFile(file);
        await report(diagnostics, process.stdout);
        process.exitCode = diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
        return;
      }
      const proc = await runGateway({
        config: file,
        adminHost: opts.adminHost as string,
        logLevel: opts.logLevel as string,
        ...(opts.adminPort === undefined ? {} : { adminPort: port(opts.adminPort as string) }),
        ...(opts.adminTokenEnv ? { adminTokenEnv: opts.adminTokenEnv as string } : {}),
        ...(opts.overrideSecretEnv ? { overrideSecretEnv: opts.overrideSecretEnv as string } : {}),
      });
      process.on('SIGHUP', () => {
        proc
          .reload()
          .then(report, (e) => process.stderr.write(`pitboss: reload failed: ${(e as Error).message}\n`));
      });
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        await proc.close();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  gateway
    .command('token')
    .description('mint an override token that pins its bearer to one version of a service (for testers)')
    .requiredOption('--service <name>', 'service the token is for')
    .requiredOption('--version <version>', 'version it pins to (the stable or the canary version)')
    .option('--ttl <duration>', 'how long it is valid: 30m, 1h, 8h…', '1h')
    .requiredOption('--secret-env <var>', 'environment variable holding the secret shared with the gateway')
    .action(async (opts: { service: string; version: string; ttl: string; secretEnv: string }) => {
      const secret = process.env[opts.secretEnv];
      if (!secret) throw new CliError(`--secret-env: environment variable ${opts.secretEnv} is not set`, 2);
      const ttlMs = parseDuration(opts.ttl);
      if (ttlMs === undefined || ttlMs <= 0)
        throw new CliError(`--ttl must be a duration such as 30m or 1h, not '${opts.ttl}'`, 2);
      const token = mintOverrideToken(secret, { service: opts.service, version: opts.version, ttlMs });
      await writeOut(`${token}\n`);
      process.stderr.write(
        `pitboss: valid for ${formatDuration(ttlMs)}; send it as the x-pitboss-override header or the pitboss_override cookie\n`,
      );
    });
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(`--admin-port must be 0–65535, not '${value}'`, 2);
  return n;
}

async function report(
  diagnostics: readonly FileDiagnostic[],
  out: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  if (diagnostics.length === 0) return;
  const text = `${diagnostics.map(formatDiagnostic).join('\n')}\n`;
  await writeOut(text, out as never);
}
