// Load-generator thread: holds `count` SSE streams on raw node:net sockets and timestamps the first byte of
// the first `change` event each stream receives after being armed. Spawned by ./client.js, which owns the
// trigger and the clock comparison. Messages (all times from ./clock.js):
//   in:  connect | arm {repeat} | collect {repeat} | close
//   out: connected {failed, firstError, statuses, doneAt} | armed | done {repeat, times, versions} | closed
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { now } from './clock.js';
import { SseResponseParser, versionOf } from './sse-parse.js';

const { host, port, path, headers, count, concurrency, connectTimeoutMs } = workerData;

const request = Buffer.from(
  `GET ${path} HTTP/1.1\r\nhost: ${host.includes(':') ? `[${host}]` : host}:${port}\r\n` +
    Object.entries({ accept: 'text/event-stream', 'cache-control': 'no-cache', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n',
  'latin1',
);

/** @type {Stream[]} */
const streams = [];
let repeat = -1; // the armed repeat, -1 before the first
let pending = 0; // armed streams still waiting for their change event
let doneSent = true;
let times = new Float64Array(0);
let versions = new Map();
let extraEvents = 0;
let closedEarly = 0;

class Stream {
  constructor(index, onSettled) {
    this.index = index;
    this.onSettled = onSettled; // first event received, or failed before it
    this.state = 'connecting'; // -> 'open' (first event received) | 'failed'; 'closed' after 'open'
    this.armedFor = -1;
    this.parser = new SseResponseParser(
      (head) => this.onHead(head),
      (type, data, at) => this.onEvent(type, data, at),
    );
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.setEncoding('latin1');
    this.socket.on('connect', () => this.socket.write(request));
    this.socket.on('data', (text) => {
      const at = now();
      try {
        this.parser.push(text, at);
      } catch (err) {
        this.fail(err.message);
      }
    });
    this.socket.on('error', (err) => this.fail(err.code ?? err.message));
    this.socket.on('close', () => this.fail('connection closed'));
  }

  onHead(head) {
    if (head.status !== 200) this.fail(`HTTP ${head.status}`, head.status);
    else if (!head.contentType.startsWith('text/event-stream')) {
      this.fail(`content-type '${head.contentType}'`);
    }
  }

  onEvent(type, data, at) {
    if (this.state === 'connecting') {
      this.state = 'open';
      this.onSettled(this, null);
      return;
    }
    if (type !== 'change' || this.state !== 'open') return;
    if (this.armedFor !== repeat || repeat === -1) {
      extraEvents++;
      return;
    }
    this.armedFor = -1;
    times[this.index] = at;
    const v = versionOf(data);
    versions.set(v, (versions.get(v) ?? 0) + 1);
    settleOne();
  }

  fail(reason, status) {
    if (this.state === 'connecting') {
      this.state = 'failed';
      this.socket.destroy();
      this.onSettled(this, { reason, status });
    } else if (this.state === 'open') {
      this.state = 'closed';
      closedEarly++;
      this.socket.destroy();
      if (this.armedFor === repeat && repeat !== -1) {
        this.armedFor = -1;
        settleOne();
      }
    }
  }
}

function settleOne() {
  pending--;
  if (pending === 0) sendDone();
}

function sendDone() {
  if (doneSent) return;
  doneSent = true;
  parentPort.postMessage({ type: 'done', repeat, times, versions: [...versions] }, [times.buffer]);
}

/** Opens `count` streams, at most `concurrency` of them awaiting their first event at any time. */
function connectAll() {
  return new Promise((resolve) => {
    let started = 0;
    let settled = 0;
    let failed = 0;
    let firstError = null;
    const statuses = {};
    let expired = false;
    const deadline = setTimeout(() => {
      expired = true;
      const reason = `no first event within ${connectTimeoutMs} ms`;
      // Streams never started count as failed too; settle them first so no new ones start below.
      failed += count - started;
      settled += count - started;
      firstError ??= reason;
      started = count;
      for (const s of streams) if (s.state === 'connecting') s.fail(reason);
    }, connectTimeoutMs);
    const onSettled = (_stream, error) => {
      settled++;
      if (error) {
        failed++;
        firstError ??= error.reason;
        if (error.status) statuses[error.status] = (statuses[error.status] ?? 0) + 1;
      }
      if (started < count && !expired) streams.push(new Stream(started++, onSettled));
      if (settled === count) {
        clearTimeout(deadline);
        resolve({ failed, firstError, statuses, doneAt: now() });
      }
    };
    if (count === 0) resolve({ failed, firstError, statuses, doneAt: now() });
    while (started < Math.min(count, concurrency)) streams.push(new Stream(started++, onSettled));
  });
}

parentPort.on('message', async (msg) => {
  if (msg.type === 'connect') {
    parentPort.postMessage({ type: 'connected', ...(await connectAll()) });
  } else if (msg.type === 'arm') {
    repeat = msg.repeat;
    times = new Float64Array(count).fill(Number.NaN);
    versions = new Map();
    pending = 0;
    for (const s of streams) {
      if (s.state !== 'open') continue;
      s.armedFor = repeat;
      pending++;
    }
    doneSent = false;
    parentPort.postMessage({ type: 'armed', repeat });
    if (pending === 0) sendDone();
  } else if (msg.type === 'collect') {
    if (msg.repeat === repeat) sendDone();
  } else if (msg.type === 'close') {
    for (const s of streams) {
      s.state = 'closing';
      // RST rather than FIN: no TIME_WAIT entries pile up on the client's ephemeral ports between runs.
      if (!s.socket.destroyed) s.socket.resetAndDestroy();
    }
    parentPort.postMessage({ type: 'closed', extraEvents, closedEarly });
  }
});
