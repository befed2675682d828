// The bare Node proxy: node:http server, undici `Pool.stream` to the upstreams (the same client and call the
// Pitboss gateway uses, so the comparison prices the gateway's features, not a faster or slower HTTP client), a
// weighted split by a hash of the player-id header (../split.js `bareProxyPicksCanary`) — and nothing else: no
// rules, no stickiness store, no metrics, no header hygiene, no timeouts, retries or health checks.
// argv[2]: JSON `{ stable: port, canary: port, weight }`; prints `{"port": n}` once listening.
import http from 'node:http';
import { Pool } from 'undici';
import { bareProxyPicksCanary, PLAYER_HEADER } from '../split.js';

const { stable, canary, weight } = JSON.parse(process.argv[2]);
const pool = (port) => new Pool(`http://127.0.0.1:${port}`, { connections: 128, pipelining: 1 });
const pools = { stable: pool(stable), canary: pool(canary) };
const NO_BODY = new Set(['GET', 'HEAD']);

const server = http.createServer((req, res) => {
  const player = req.headers[PLAYER_HEADER];
  const upstream =
    typeof player === 'string' && bareProxyPicksCanary(player, weight) ? pools.canary : pools.stable;
  upstream.stream(
    {
      path: req.url,
      method: req.method,
      headers: req.headers,
      body: NO_BODY.has(req.method) ? undefined : req,
      opaque: res,
    },
    ({ statusCode, headers, opaque }) => {
      opaque.writeHead(statusCode, headers);
      return opaque;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  );
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
