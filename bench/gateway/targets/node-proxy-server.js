// The bare Node proxy: node:http server, http.request to the upstreams over keep-alive agents, a weighted split
// by a hash of the player-id header (./split.js `bareProxyPicksCanary`) — and nothing else: no rules, no
// stickiness store, no metrics, no header hygiene, no timeouts or retries. The floor a Node proxy can reach here.
// argv[2]: JSON `{ stable: port, canary: port, weight }`; prints `{"port": n}` once listening.
import http from 'node:http';
import { bareProxyPicksCanary, PLAYER_HEADER } from '../split.js';

const { stable, canary, weight } = JSON.parse(process.argv[2]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 60_000 });

const server = http.createServer((req, res) => {
  const player = req.headers[PLAYER_HEADER];
  const port = typeof player === 'string' && bareProxyPicksCanary(player, weight) ? canary : stable;
  const upstream = http.request(
    { host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;
server.listen({ host: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
