// The floor: a bare node:net SSE server. `GET /stream…` gets a minimal HTTP/1.1 200 text/event-stream head and
// a snapshot event, then the socket is held open with no framing (the body ends with the connection).
// `POST /trigger` writes one pre-encoded `change` event (the same Buffer) to every stream, then answers 204.
// Prints `listening <port>` on stdout once bound to 127.0.0.1.
import net from 'node:net';

const HEAD =
  'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: keep-alive\r\n\r\n';
const SNAPSHOT = 'event: snapshot\ndata: {"version":0}\n\n';

/** @type {Set<net.Socket>} */
const streams = new Set();
let version = 0;

function broadcast() {
  const bytes = Buffer.from(`event: change\ndata: {"version":${++version}}\n\n`, 'latin1');
  for (const socket of streams) socket.write(bytes);
}

const server = net.createServer({ noDelay: true }, (socket) => {
  let buffered = '';
  let skip = 0; // request-body bytes still to discard
  socket.setEncoding('latin1');
  socket.on('error', () => {});
  socket.on('close', () => streams.delete(socket));
  socket.on('data', (text) => {
    if (streams.has(socket)) return; // a stream's request is complete; ignore anything else it sends
    buffered += text;
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buffered.length);
        buffered = buffered.slice(n);
        skip -= n;
        if (skip > 0) return;
      }
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = buffered.slice(0, end);
      buffered = buffered.slice(end + 4);
      const [method, path] = head.split(' ', 2);
      skip = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      if (method === 'GET' && path.startsWith('/stream')) {
        socket.write(HEAD + SNAPSHOT);
        streams.add(socket);
        return;
      }
      if (method === 'POST' && path.startsWith('/trigger')) {
        broadcast();
        socket.write('HTTP/1.1 204 No Content\r\n\r\n');
      } else {
        socket.write('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
      }
    }
  });
});

server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
