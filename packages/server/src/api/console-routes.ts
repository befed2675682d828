import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where the console's built files are: `index.html` and Vite's hashed `assets/*`. */
export interface ConsoleOptions {
  readonly root: string;
}

/**
 * Scripts, styles and data only from this origin, no inline code, no framing (clickjacking), no plugins: the
 * console holds an API token, so nothing foreign may run beside it (CSP Level 3, https://www.w3.org/TR/CSP3/).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
} as const;

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Pitboss console not built</title></head>
<body>
<h1>The Pitboss console is not built</h1>
<p>Run <code>npm run build</code> in the Pitboss repository, then reload this page. The API works meanwhile.</p>
</body>
</html>
`;

/** The dist folder of `@pitboss/ui`; undefined when the package cannot be found (the console is then "not built"). */
export function defaultConsoleRoot(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@pitboss/ui/package.json')), 'dist');
  } catch {
    return undefined;
  }
}

/**
 * The web console at `/`: `index.html` revalidated on every load (it names the current hashed assets), and the
 * assets cached for a year (a new build has new names). Public routes: the page is static, and every call it makes
 * carries the token the user typed. Kept out of the OpenAPI document: they are not API.
 */
export async function registerConsoleRoutes(app: FastifyInstance, root: string | undefined): Promise<void> {
  await app.register(async (scope) => {
    // Only the `sendFile` decoration, in this scope: the plugin's own wildcard route would declare no auth.
    // The build writes .br and .gz beside each file; a browser that accepts them gets those bytes as they are.
    await scope.register(fastifyStatic, { serve: false, preCompressed: true });
    // Vary: the same URL answers brotli, gzip or plain bytes by Accept-Encoding (RFC 9110 §12.5.5).
    const secure = (reply: FastifyReply) => reply.headers({ ...SECURITY_HEADERS, vary: 'accept-encoding' });

    scope.get('/', {
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (_request, reply) => {
        secure(reply);
        if (root === undefined || !existsSync(join(root, 'index.html'))) {
          return reply
            .status(503)
            .type('text/html; charset=utf-8')
            .header('cache-control', 'no-store')
            .send(NOT_BUILT);
        }
        reply.header('cache-control', 'no-cache');
        return reply.sendFile('index.html', root, { cacheControl: false, index: false });
      },
    });

    scope.get('/assets/*', {
      config: { auth: 'public' },
      schema: { hide: true },
      handler: async (request, reply) => {
        const file = (request.params as { '*': string })['*'];
        // Files only: a directory or a climb out of assets/ is simply not there (send would answer 403).
        const parts = file.split('/');
        if (root === undefined || parts.some((p) => p === '' || p === '.' || p === '..'))
          return reply.callNotFound();
        secure(reply);
        return reply.sendFile(`assets/${file}`, root, {
          maxAge: 31_536_000_000,
          immutable: true,
          index: false,
          dotfiles: 'ignore',
        });
      },
    });
  });
}
