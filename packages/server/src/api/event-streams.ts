import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The Server-Sent Event streams of one route (a rollout's `watch`, the audit feed): each takes over its reply,
 * sends the event-stream headers and a heartbeat, and ends when the client leaves or the app closes — an open
 * stream would otherwise keep `server.close()` waiting. SDK delivery has its own hub (delivery/sse-hub.ts), built
 * for many thousands of streams sharing one snapshot.
 */
export class EventStreams {
  private readonly open = new Set<ServerResponse>();

  constructor(
    app: FastifyInstance,
    private readonly heartbeatMs = 15_000,
  ) {
    app.addHook('preClose', async () => {
      for (const res of this.open) res.end();
    });
  }

  /** Starts a stream on `reply`; `onClose` runs once, when the client or the app ends it. */
  start(reply: FastifyReply, onClose: () => void): ServerResponse {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      // nginx buffers responses unless told not to; a buffered event stream arrives in lumps.
      'x-accel-buffering': 'no',
    });
    this.open.add(res);
    // WHATWG HTML §9.2.7: a comment now and then keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': heartbeat\n\n');
    }, this.heartbeatMs);
    res.on('close', () => {
      clearInterval(heartbeat);
      this.open.delete(res);
      onClose();
    });
    return res;
  }
}
