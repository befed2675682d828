// One keep-alive HTTP/1.1 connection of the load generator, on a raw node:net socket: one request at a time
// (no pipelining), pre-encoded request bytes, ./http-response.js reading the answer. When the server closes
// the socket (a `Connection: close`, an idle timeout, an error), the request in flight fails and the connection
// reconnects by itself before it is offered again.
//
// Like undici, it honours the server's `Keep-Alive: timeout=N` hint: a connection idle for nearly that long is
// reopened before use instead of written to, since the server may be closing it at that very moment (the
// HTTP/1.1 keep-alive race: the request is lost with the socket). Node's http server closes idle sockets after
// 5 s and says so; without this, a proxy on Node's default would lose a few requests per round in the open loop,
// where most of the 64 connections sit idle.
import net from 'node:net';
import { ResponseReader } from './http-response.js';

const KEEP_ALIVE_MARGIN_MS = 1000;

export class Connection {
  /**
   * @param {{ host: string, port: number, onResponse: (conn: Connection, ctx: unknown,
   *   r: { status: number, version: string | undefined }) => void, onFailure: (conn: Connection, ctx: unknown,
   *   error: string) => void, onReady: (conn: Connection) => void }} options
   *   onReady fires when a (re)connected socket can take a request; onResponse/onFailure end the request in
   *   flight (after onFailure, onReady follows once reconnected).
   */
  constructor({ host, port, onResponse, onFailure, onReady }) {
    this.host = host;
    this.port = port;
    this.onResponse = onResponse;
    this.onFailure = onFailure;
    this.onReady = onReady;
    this.socket = null;
    this.ctx = undefined;
    this.busy = false;
    this.closing = false; // the server announced `Connection: close`
    this.stopped = false;
    this.reconnects = 0;
    this.recycled = 0;
    this.lastAnswer = 0;
    this.keepAliveMs = Number.NaN;
  }

  /** Opens the socket; resolves once connected (rejects on a connect error). */
  open() {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      const reader = new ResponseReader((r) => this.#answered(r));
      this.socket = socket;
      this.closing = false;
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        this.lastAnswer = performance.now();
        socket.off('error', reject);
        socket.on('error', () => {}); // 'close' follows and does the work
        resolve();
      });
      socket.once('error', reject);
      socket.on('data', (chunk) => {
        try {
          reader.push(chunk);
        } catch (err) {
          this.#fail(`bad response: ${err.message}`);
          socket.destroy();
        }
      });
      socket.once('close', () => {
        if (this.socket !== socket || !connected) return; // a failed connect is the caller's to retry
        this.socket = null;
        if (this.busy) this.#fail('connection closed before the response ended');
        if (!this.stopped) this.#reconnect();
      });
    });
  }

  /** Writes one pre-encoded request; `ctx` comes back with its answer. */
  send(bytes, ctx) {
    this.busy = true;
    this.ctx = ctx;
    this.socket.write(bytes);
  }

  get ready() {
    return this.socket !== null && !this.busy && !this.closing;
  }

  /**
   * Ready, and not idle so long that the server may be closing it (within 1 s of its keep-alive hint). A stale
   * connection is closed here and reopened; it comes back through onReady.
   */
  usable(nowMs) {
    if (!this.ready) return false;
    if (nowMs - this.lastAnswer > this.keepAliveMs - KEEP_ALIVE_MARGIN_MS) {
      this.recycled++;
      this.closing = true;
      this.socket.destroy();
      return false;
    }
    return true;
  }

  close() {
    this.stopped = true;
    this.socket?.destroy();
  }

  #answered(r) {
    if (!this.busy) return; // an answer nobody asked for: ignore
    const ctx = this.ctx;
    this.busy = false;
    this.ctx = undefined;
    this.lastAnswer = performance.now();
    if (Number.isFinite(r.keepAliveS)) this.keepAliveMs = r.keepAliveS * 1000;
    if (r.close) {
      this.closing = true;
      this.socket?.end();
    }
    this.onResponse(this, ctx, r);
  }

  #fail(error) {
    if (!this.busy) return;
    const ctx = this.ctx;
    this.busy = false;
    this.ctx = undefined;
    this.onFailure(this, ctx, error);
  }

  #reconnect() {
    this.reconnects++;
    this.open().then(
      () => this.onReady(this),
      () => {
        if (!this.stopped) setTimeout(() => this.#reconnect(), 50);
      },
    );
  }
}
