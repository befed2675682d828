// The Pitboss gateway as a benchmark target, in its own process: `startGateway` from the built
// packages/server/dist/gateway/index.js (BENCH_PITBOSS_GATEWAY=/path/to/index.js for another build) with the
// features the issue's targets name switched on:
//   routing rules  a segment rule (split.js SEGMENT_RULE, over `market` from the x-market header) evaluated on
//                  every request — the benchmark's markets never match it, so the split stays at the weight;
//   stickiness     weight with sticky bucketing by `playerId` (x-player-id header);
//   metrics        a TrafficStats store recording every request per version and endpoint.
// argv[2]: JSON `{ stable, canary, weight }`. Prints `{"port": n}` once listening, or `{"unavailable": why}`
// while the gateway is not built. On SIGTERM prints the requests its metrics recorded by version, then exits.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CANARY_VERSION,
  MARKET_HEADER,
  PLAYER_HEADER,
  REQUEST_PATH,
  SEGMENT_RULE,
  STABLE_VERSION,
} from '../split.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODULE = process.env.BENCH_PITBOSS_GATEWAY
  ? path.resolve(process.env.BENCH_PITBOSS_GATEWAY)
  : path.join(ROOT, 'packages/server/dist/gateway/index.js');
const SERVICE = 'wallet';

function unavailable(reason) {
  process.stdout.write(JSON.stringify({ unavailable: reason }) + '\n');
  process.exit(0);
}

const { stable, canary, weight } = JSON.parse(process.argv[2]);
if (!existsSync(MODULE)) unavailable(`${path.relative(ROOT, MODULE)} not built (npm run build)`);
let gatewayModule;
try {
  gatewayModule = await import(pathToFileURL(MODULE).href);
} catch (err) {
  // A build with a file missing (the gateway half written) is 'not available'; anything else is a failure.
  if (err.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  unavailable(`${path.relative(ROOT, MODULE)} does not load: ${err.message.split('\n')[0]}`);
}
if (typeof gatewayModule.startGateway !== 'function') {
  unavailable(`${path.relative(ROOT, MODULE)} does not export startGateway`);
}

/** The `kind: Gateway` document, as an operator would write it in YAML. */
const doc = {
  apiVersion: 'pitboss.dev/v1',
  kind: 'Gateway',
  metadata: { name: 'bench' },
  spec: {
    listen: { host: '127.0.0.1', port: 0 },
    versionHeader: false,
    services: [
      {
        name: SERVICE,
        match: { pathPrefix: '/wallet' },
        stable: { version: STABLE_VERSION, upstreams: [`http://127.0.0.1:${stable}`] },
        canary: { version: CANARY_VERSION, upstreams: [`http://127.0.0.1:${canary}`] },
        stickiness: 'playerId',
        context: { playerId: { header: PLAYER_HEADER }, market: { header: MARKET_HEADER } },
        endpoints: [{ name: 'balance', method: 'GET', path: REQUEST_PATH }],
        route: { weight, segment: SEGMENT_RULE, mirror: 0 },
      },
    ],
  },
};

const read = gatewayModule.readGatewayConfig(doc);
const config = read.config ?? read;
if (read.diagnostics?.length && !read.config) {
  throw new Error(
    `gateway config rejected: ${read.diagnostics.map((d) => `${d.path ?? ''} ${d.message}`).join('; ')}`,
  );
}
const trafficStats = new gatewayModule.TrafficStats();
const running = await gatewayModule.startGateway({ config, trafficStats });
// The controller's path to a route, in case the document's start route is not what the reader keeps.
running.gateway.applyRoute(SERVICE, { weight, segment: SEGMENT_RULE, mirror: 0 });
process.stdout.write(JSON.stringify({ port: running.port }) + '\n');

process.on('SIGTERM', async () => {
  const byVersion = trafficStats.queryRequests({
    match: { service: SERVICE },
    from: Date.now() - 30 * 60_000, // a round takes well under that; the store keeps an hour
    to: Date.now(),
    by: ['version'],
  });
  const recorded = Object.fromEntries(byVersion.map((g) => [g.labels.version, g.requests]));
  process.stdout.write(JSON.stringify({ recorded }) + '\n');
  await Promise.race([running.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  process.exit(0);
});
