import type { IncomingHttpHeaders } from 'node:http';
import type { Context } from '@pitboss/engine';
import type { ContextSource } from './gateway-config.js';
import { type JwtOptions, jwtClaims } from './jwt-claims.js';

/**
 * Builds the rule-language context of a request from the configured sources. Header and cookie values are
 * strings; JWT claims keep their JSON types (so `user.isEmployee == true` works with a boolean claim). Dotted
 * attribute names become nested objects, as the engine reads `user.isEmployee` as a path.
 */
export class ContextBuilder {
  private readonly sources: readonly { path: readonly string[]; source: ContextSource }[];
  private readonly needsCookies: boolean;
  private readonly needsJwt: boolean;

  constructor(
    sources: Readonly<Record<string, ContextSource>>,
    private readonly jwt: JwtOptions,
  ) {
    this.sources = Object.entries(sources).map(([name, source]) => ({ path: name.split('.'), source }));
    this.needsCookies = this.sources.some((s) => 'cookie' in s.source);
    this.needsJwt = this.sources.some((s) => 'jwtClaim' in s.source);
  }

  build(headers: IncomingHttpHeaders, cookies?: ReadonlyMap<string, string>): Record<string, unknown> {
    const jar = this.needsCookies ? (cookies ?? parseCookies(headers.cookie)) : undefined;
    const claims = this.needsJwt ? jwtClaims(headers.authorization, this.jwt) : undefined;
    const ctx: Record<string, unknown> = {};
    for (const { path, source } of this.sources) {
      let value: unknown;
      if ('header' in source) value = headerValue(headers[source.header]);
      else if ('cookie' in source) value = jar?.get(source.cookie);
      else value = claims?.[source.jwtClaim];
      if (value !== undefined) setPath(ctx, path, value);
    }
    return ctx;
  }
}

/** Reads a dotted attribute (the stickiness attribute) from a built context. */
export function readPath(ctx: Context, path: string): unknown {
  let value: unknown = ctx;
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === '' ? undefined : s;
}

function setPath(ctx: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = ctx;
  for (let i = 0; i < path.length - 1; i++) {
    const step = path[i]!;
    const next = at[step];
    if (next === null || typeof next !== 'object') at[step] = {};
    at = at[step] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
}

/**
 * The Cookie header as a map (RFC 6265 §5.4: `name=value` pairs separated by `; `). The first occurrence of a
 * name wins, as browsers send the most specific cookie first. Quotes around a value are dropped; no decoding.
 */
export function parseCookies(header: string | string[] | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  if (header === undefined) return jar;
  const text = Array.isArray(header) ? header.join('; ') : header;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (name !== '' && !jar.has(name)) jar.set(name, value);
  }
  return jar;
}
