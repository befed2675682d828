import type { Command } from 'commander';
import { startServer } from '../server.js';
import { CliError } from './cli-error.js';

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
    .option('--router <kind>', 'traffic router rollouts drive: nop (records the desired routing only)', 'nop')
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
        router: string;
        corsOrigin?: string;
      }) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new CliError(`--port must be 0–65535, not '${opts.port}'`, 2);
        const adminToken = process.env.PITBOSS_ADMIN_TOKEN;
        const server = await startServer({
          port,
          host: opts.host,
          database: opts.database,
          logLevel: opts.logLevel,
          router: opts.router,
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
