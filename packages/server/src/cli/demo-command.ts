import type { Command } from 'commander';
import { runDemo } from '../demo/orchestrator.js';
import { isScenario, SCENARIOS } from '../demo/platform/scenarios.js';
import { CliError } from './cli-error.js';

/** Player journeys per second at speed 1: enough for the deposit gates to reach a verdict within a step. */
export const DEFAULT_RATE = 16;
/** The default compresses a release to a few minutes; `--speed 1` plays it in real time. */
export const DEFAULT_SPEED = 3;

/**
 * `pitboss demo`: a live iGaming platform behind the gateway, released under SLO gates (docs/demo.md). What
 * `npm start` runs. Ctrl-C stops everything; a second Ctrl-C does not wait for the graceful stop.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'run a live demo: a simulated iGaming platform behind the gateway, a wallet release gated on SLOs, rolled back or promoted',
    )
    .option(
      '--scenario <name>',
      `what v2 gets wrong: ${SCENARIOS.join(', ')} (default: psp-failure, then healthy)`,
    )
    .option(
      '--speed <n>',
      'compress time: pauses and analyses last 1/n, traffic n times denser',
      String(DEFAULT_SPEED),
    )
    .option('--rate <n>', 'player journeys per second at speed 1', String(DEFAULT_RATE))
    .option(
      '--journeys <kind>',
      'full (login, deposit, bets, chargebacks, promos, withdrawals, game sockets) or payments (no bets, promos, sockets: denser deposits for quick runs)',
      'full',
    )
    .option('--port <port>', 'control plane API port (busy: any free one)', '4242')
    .option('--gateway-port <port>', 'gateway port players connect to (busy: any free one)', '8080')
    .option('--data <dir>', 'data directory: the control plane database, the demo ledger and logs', './data')
    .option('--seed <n>', 'seed of the players and of every simulated fault', '42')
    .option('--once', 'exit after the scripted release(s): 0 when they ended as expected, 1 otherwise')
    .action(
      async (opts: {
        scenario?: string;
        speed: string;
        rate: string;
        journeys: string;
        port: string;
        gatewayPort: string;
        data: string;
        seed: string;
        once?: boolean;
      }) => {
        if (opts.scenario !== undefined && !isScenario(opts.scenario))
          throw new CliError(`--scenario must be one of ${SCENARIOS.join(', ')}, not '${opts.scenario}'`, 2);
        const speed = positive(opts.speed, '--speed', 1_000);
        const rate = positive(opts.rate, '--rate', 10_000);
        if (opts.journeys !== 'full' && opts.journeys !== 'payments')
          throw new CliError(`--journeys must be full or payments, not '${opts.journeys}'`, 2);
        const seed = Number(opts.seed);
        if (!Number.isSafeInteger(seed))
          throw new CliError(`--seed must be an integer, not '${opts.seed}'`, 2);

        const controller = new AbortController();
        let signals = 0;
        const onSignal = () => {
          signals++;
          // The second Ctrl-C does not wait: the process group's exit handler kills every child.
          if (signals > 1) process.exit(130);
          controller.abort();
        };
        for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
        const code = await runDemo({
          ...(opts.scenario ? { scenario: opts.scenario as never } : {}),
          speed,
          rate,
          journeys: opts.journeys,
          port: port(opts.port, '--port'),
          gatewayPort: port(opts.gatewayPort, '--gateway-port'),
          dataDir: opts.data,
          seed,
          once: opts.once === true,
          ...(process.env.PITBOSS_ADMIN_TOKEN ? { adminToken: process.env.PITBOSS_ADMIN_TOKEN } : {}),
          signal: controller.signal,
          out: process.stdout,
        });
        for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
        // Keep-alive sockets of the traffic may linger a few seconds: the demo is over, so is the process.
        await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
        process.exit(code);
      },
    );
}

function positive(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new CliError(`${flag} must be a number in (0, ${max}], not '${value}'`, 2);
  return n;
}

function port(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(`${flag} must be 0–65535, not '${value}'`, 2);
  return n;
}
