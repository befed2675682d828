/**
 * One simulated platform service as its own process, the way `pitboss demo` starts ten of them:
 *
 *   node packages/server/dist/demo/platform/run-service.js --service wallet --version v2 \
 *     --scenario psp-failure --port 0 --data ./data/demo --seed 42
 *
 * Options: --service auth|wallet|bets|game-gateway|promo (required), --version (required; only `v2` gets the
 * scenario's faults), --scenario healthy|psp-failure|latency|ws-regression|chargebacks (default healthy),
 * --port (default 0 = free), --host (default 127.0.0.1), --data (ledger directory; default ./data/demo; used by
 * wallet, bets, promo), --seed (integer, default 1), --latency-scale (default 1; 0 = no simulated latency),
 * --exit-on-stdin-close (stop like on SIGTERM when stdin reaches EOF: spawned with a stdin pipe, the service
 * then cannot outlive its parent even if the parent is killed with SIGKILL).
 *
 * When listening it prints exactly one JSON line on stdout: {"ready":true,"service":"wallet","version":"v2","port":N}.
 * Bad options: a message on stderr and exit code 2. SIGTERM/SIGINT: graceful close, exit 0. A failure to start:
 * exit 1.
 */
import { parseArgs } from 'node:util';
import { isScenario, isServiceName } from './scenarios.js';
import { startService } from './service.js';

function usage(message: string): never {
  process.stderr.write(`run-service: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        service: { type: 'string' },
        version: { type: 'string' },
        scenario: { type: 'string', default: 'healthy' },
        port: { type: 'string', default: '0' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string', default: './data/demo' },
        seed: { type: 'string', default: '1' },
        'latency-scale': { type: 'string', default: '1' },
        'exit-on-stdin-close': { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> });
  } catch (e) {
    usage((e as Error).message);
  }
  const opt = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  const service = opt('service') ?? usage('--service is required');
  if (!isServiceName(service))
    usage(`--service must be auth, wallet, bets, game-gateway or promo, not ${service}`);
  const version = opt('version') ?? usage('--version is required');
  if (!/^[A-Za-z0-9._-]{1,32}$/.test(version))
    usage(`--version must be a short name like v1, not ${version}`);
  const scenario = values.scenario as string;
  if (!isScenario(scenario))
    usage(`--scenario must be healthy, psp-failure, latency, ws-regression or chargebacks`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    usage(`--port must be 0..65535, not ${values.port}`);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) usage(`--seed must be an integer, not ${values.seed}`);
  const latencyScale = Number(values['latency-scale']);
  if (!Number.isFinite(latencyScale) || latencyScale < 0) usage('--latency-scale must be a number ≥ 0');

  const running = await startService({
    service,
    version,
    scenario,
    port,
    host: values.host as string,
    dataDir: values.data as string,
    seed,
    profile: { latencyScale },
  });
  process.stdout.write(`${JSON.stringify({ ready: true, service, version, port: running.port })}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (values['exit-on-stdin-close'] === true) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
}

main().catch((e) => {
  process.stderr.write(`run-service: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
