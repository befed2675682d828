// The node:http floor: what any SSE server built on node:http pays at least. `GET /stream…` answers 200
// text/event-stream (chunked, as node:http does) plus a snapshot event and keeps the response open;
// `POST /trigger` `res.write`s one pre-encoded `change` event (the same Buffer) to every open response, then
// answers 204. Prints `listening <port>` on stdout once bound to 127.0.0.1.
import http from 'node:http';

const SNAPSHOT = 'event: snapshot\ndata: {"version":0}\n\n';

/** @type {Set<http.ServerResponse>} */
const streams = new Set();
let version = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url.startsWith('/stream')) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(SNAPSHOT);
    streams.add(res);
    res.on('close', () => streams.delete(res));
  } else if (req.method === 'POST' && req.url.startsWith('/trigger')) {
    const bytes = Buffer.from(`event: change\ndata: {"version":${++version}}\n\n`, 'latin1');
    for (const stream of streams) stream.write(bytes);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  } else {
    res.writeHead(404).end();
  }
});
// Streams are idle between changes for as long as the benchmark likes.
server.requestTimeout = 0;
server.headersTimeout = 0;
server.keepAliveTimeout = 60_000;

server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
