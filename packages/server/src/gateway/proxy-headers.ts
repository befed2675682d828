import type { IncomingMessage } from 'node:http';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy must not forward them —
 * Connection and every header it names, plus Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding and Upgrade.
 * `host`, `expect` and `content-length` are dropped as well: the upstream gets its own Host (X-Forwarded-Host
 * keeps the original), node's server already answered any `Expect: 100-continue`, and the body is forwarded
 * whole, so undici writes its length.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
]);
const REQUEST_ONLY_DROP = new Set([
  'host',
  'expect',
  'content-length',
  'x-forwarded-proto',
  'x-forwarded-host',
]);

function isHopByHop(lower: string): boolean {
  return HOP_BY_HOP.has(lower) || lower.startsWith('proxy-');
}

/** Names listed in a Connection header (`Connection: close, x-foo`), lowercased. */
function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  const names = new Set<string>();
  for (const t of text.split(',')) {
    const name = t.trim().toLowerCase();
    if (name !== '') names.add(name);
  }
  return names.size > 0 ? names : undefined;
}

/**
 * Headers for the upstream request as a flat `[name, value, …]` list (undici's fastest form, and it keeps
 * repeated headers), with hop-by-hop headers removed and X-Forwarded-For/-Proto/-Host set: For is appended to
 * (a chain of proxies), Proto and Host are this hop's.
 */
export function upstreamRequestHeaders(req: IncomingMessage, extra?: readonly string[]): string[] {
  const raw = req.rawHeaders;
  const listed = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || REQUEST_ONLY_DROP.has(lower) || listed?.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? raw[i + 1]! : `${forwardedFor}, ${raw[i + 1]!}`;
      continue;
    }
    out.push(name, raw[i + 1]!);
  }
  const client = req.socket.remoteAddress ?? 'unknown';
  out.push('x-forwarded-for', forwardedFor === undefined ? client : `${forwardedFor}, ${client}`);
  out.push('x-forwarded-proto', 'encrypted' in req.socket ? 'https' : 'http');
  if (req.headers.host !== undefined) out.push('x-forwarded-host', req.headers.host);
  if (extra) out.push(...extra);
  return out;
}

/** The upstream's response headers without hop-by-hop ones, ready for `writeHead`. */
export function downstreamResponseHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Record<string, string | string[]> {
  const listed = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || isHopByHop(name) || listed?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Adds a Set-Cookie to response headers that may already carry some. */
export function addSetCookie(headers: Record<string, string | string[]>, cookie: string): void {
  const existing = headers['set-cookie'];
  if (existing === undefined) headers['set-cookie'] = cookie;
  else headers['set-cookie'] = Array.isArray(existing) ? [...existing, cookie] : [existing, cookie];
}
