import type { Command } from 'commander';
import { type ServerOptions, startServer } from '../server.js';
import { CliError } from './cli-error.js';
import { formatDiagnostic } from './format-diagnostics.js';
import { loadGatewayConfigFile } from './gateway-command.js';

/** `pitboss server`: the control plane. Stops gracefully on SIGINT and SIGTERM, ending SSE streams first. */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('run the control plane: API, SDK delivery, audit log, the rollout driver')
    .option('--port <port>', 'port to listen on', '4242')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option(
      '--database <url>',
      'sqlite:<path> or postgres://user@host/db[?schema=name]',
      'sqlite:./data/pitboss.db',
    )
    .option('--log-level <level>', 'pino log level', 'info')
    .option(
      '--router <kind>',
      'traffic router rollouts drive: gateway (default with --gateway-config or --gateway-admin-url) or nop (records only)',
    )
    .option(
      '--gateway-config <file>',
      'run the built-in gateway in this process with this config (docs/gateway.md)',
    )
    .option(
      '--gateway-override-secret-env <var>',
      'environment variable holding the tester-override signing secret',
    )
    .option(
      '--gateway-admin-url <url>',
      'drive a standalone `pitboss gateway` through its admin API (routing, and its measurements for builtin metrics)',
    )
    .option('--gateway-admin-token-env <var>', 'environment variable holding that admin API token')
    .option(
      '--cors-origin <origins>',
      'comma-separated origins whose pages may call the SDK routes (browser SDK), or *; also PITBOSS_CORS_ORIGINS',
    )
    .action(
      async (opts: {
        port: string;
        host: string;
        database: string;
        logLevel: string;
        router?: string;
        corsOrigin?: string;
        gatewayConfig?: string;
        gatewayOverrideSecretEnv?: string;
        gatewayAdminUrl?: string;
        gatewayAdminTokenEnv?: string;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliError(`--port must be 0–65535, not '${opts.port}'`, 2);
        const adminToken = process.env.PITBOSS_ADMIN_TOKEN;
        const gateway = await gatewayOptions(opts);
        const server = await startServer({
          ...gateway,
          port,
          host: opts.host,
          database: opts.database,
          logLevel: opts.logLevel,
          ...(opts.router ? { router: opts.router } : {}),
          corsOrigins: (opts.corsOrigin ?? process.env.PITBOSS_CORS_ORIGINS ?? '')
            .split(',')
            .map((o) => o.trim())
            .filter((o) => o !== ''),
          ...(adminToken ? { adminToken } : {}),
        });
        let stopping = false;
        const stop = async () => {
          if (stopping) return;
          stopping = true;
          await server.close();
          process.exit(0);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      },
    );
}

/** The built-in gateway's config (errors printed as `file:line:col`) and a standalone gateway's admin API. */
async function gatewayOptions(opts: {
  gatewayConfig?: string;
  gatewayOverrideSecretEnv?: string;
  gatewayAdminUrl?: string;
  gatewayAdminTokenEnv?: string;
}): Promise<Pick<ServerOptions, 'gateway' | 'gatewayAdmin'>> {
  const fromEnv = (name: string | undefined, flag: string): string | undefined => {
    if (name === undefined) return undefined;
    const value = process.env[name];
    if (!value) throw new CliError(`${flag}: environment variable ${name} is not set`, 2);
    return value;
  };
  const out: { gateway?: ServerOptions['gateway']; gatewayAdmin?: ServerOptions['gatewayAdmin'] } = {};
  if (opts.gatewayConfig !== undefined) {
    const loaded = await loadGatewayConfigFile(opts.gatewayConfig);
    for (const d of loaded.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!loaded.config) throw new CliError(`${opts.gatewayConfig}: not a valid gateway config`, 1);
    const overrideSecret = fromEnv(opts.gatewayOverrideSecretEnv, '--gateway-override-secret-env');
    out.gateway = { config: loaded.config, ...(overrideSecret ? { overrideSecret } : {}) };
  }
  if (opts.gatewayAdminUrl !== undefined) {
    const token = fromEnv(opts.gatewayAdminTokenEnv, '--gateway-admin-token-env');
    if (token === undefined) throw new CliError('--gateway-admin-url needs --gateway-admin-token-env', 2);
    out.gatewayAdmin = { url: opts.gatewayAdminUrl, token };
  }
  return out;
}
