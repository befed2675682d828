import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Cross-origin access to the SDK routes, for the browser SDK on a page of another origin (the Fetch standard's
 * CORS protocol). Only `/sdk/*` and only the configured origins: the management API stays same-origin. Every SDK
 * call carries `authorization`, so browsers preflight it; the preflight is answered without credentials.
 */
const ALLOW_HEADERS = 'authorization, content-type, last-event-id';
const EXPOSE_HEADERS = 'etag, retry-after';

/** The origin to echo in `access-control-allow-origin`, or undefined when this request gets no CORS headers. */
export function corsOrigin(request: FastifyRequest, origins: readonly string[]): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || !request.url.startsWith('/sdk/')) return undefined;
  return origins.includes('*') || origins.includes(origin) ? origin : undefined;
}

/** Raw header lines for responses written on the socket (the SSE stream), ending in CRLF, or ''. */
export function corsHeaderLines(origin: string | undefined): string {
  return origin === undefined
    ? ''
    : `access-control-allow-origin: ${origin}\r\nvary: origin\r\naccess-control-expose-headers: ${EXPOSE_HEADERS}\r\n`;
}

export function registerCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  // onSend, not onRequest: errors (401, 403, 429) need the headers too, or the page cannot read why it failed.
  app.addHook('onSend', async (request, reply, payload) => {
    const origin = corsOrigin(request, origins);
    if (origin !== undefined) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'origin');
      reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    }
    return payload;
  });
  app.options('/sdk/*', {
    // A preflight carries no credentials by design: what it may learn is only which origins are allowed.
    config: { auth: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => {
      if (corsOrigin(request, origins) !== undefined) {
        reply.header('access-control-allow-methods', 'GET, POST');
        reply.header('access-control-allow-headers', ALLOW_HEADERS);
        reply.header('access-control-max-age', '600');
      }
      return reply.status(204).send();
    },
  });
}
