// The upstreams: one process, two node:http listeners on 127.0.0.1 — stable (v1) and canary (v2) — answering
// every request with the same small JSON body and an `x-version` header, which is how the load generator tells
// which version a proxy chose. One process for both keeps the 2 cores for the proxy and the load generator.
// Prints `{"stable": port, "canary": port}` once both listen.
import http from 'node:http';
import { CANARY_VERSION, STABLE_VERSION } from './split.js';

function listen(version) {
  const body = Buffer.from(JSON.stringify({ balance: 100, currency: 'EUR', version }));
  const server = http.createServer((req, res) => {
    // Drain any request body before answering, so a keep-alive socket stays usable.
    req.resume();
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': body.length,
        'x-version': version,
      });
      res.end(body);
    });
  });
  // Proxies keep pooled connections idle between phases and rounds; Node's default 5 s keep-alive timeout
  // would close them under the proxies' feet (a reuse racing the close is an error no proxy could avoid).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 130_000;
  return new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, () => resolve(server)));
}

const [stable, canary] = await Promise.all([listen(STABLE_VERSION), listen(CANARY_VERSION)]);
process.stdout.write(JSON.stringify({ stable: stable.address().port, canary: canary.address().port }) + '\n');
process.on('SIGTERM', () => process.exit(0));
