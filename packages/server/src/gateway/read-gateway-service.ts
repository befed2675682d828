import { compileExpression } from '@pitboss/engine';
import { isPlainObject, KEY, type Path, type SpecReader } from '../rollouts/spec-reader.js';
import type { RouteState } from '../routing/router.js';
import {
  type ContextSource,
  DEFAULTS,
  type EndpointConfig,
  type HealthCheckConfig,
  type PoolConfig,
  type ServiceConfig,
} from './gateway-config.js';

/** One entry of `spec.services` of a Gateway document (read-gateway-config.ts reads the rest). */

const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HOST = /^[a-z0-9.-]+$/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const SERVICE_FIELDS = {
  name: 'read',
  match: 'read',
  stable: 'read',
  canary: 'read',
  stickiness: 'read',
  context: 'read',
  endpoints: 'read',
  timeouts: 'read',
  retries: 'read',
  maxBodyBytes: 'read',
  mirror: 'read',
  healthCheck: 'read',
  circuitBreaker: 'read',
  route: 'read',
} as const;

export function readService(raw: unknown, path: Path, r: SpecReader): ServiceConfig | undefined {
  const s = r.object(raw, path, SERVICE_FIELDS);
  if (!s) return undefined;
  const name = r.required(s.name, [...path, 'name'], 'the service name')
    ? r.string(s.name, [...path, 'name'])
    : undefined;
  if (name !== undefined && !KEY.test(name))
    r.error(
      [...path, 'name'],
      'CONFIG_INVALID_KEY',
      `service name '${name}' must be letters, digits, '_', '-' or '.'`,
    );
  const match = readMatch(s.match, [...path, 'match'], r);
  const stable = r.required(s.stable, [...path, 'stable'], '{version, upstreams} of the running version')
    ? readPool(s.stable, [...path, 'stable'], r)
    : undefined;
  const canary = s.canary === undefined ? undefined : readPool(s.canary, [...path, 'canary'], r);
  if (stable && canary && stable.version === canary.version)
    r.error(
      [...path, 'canary', 'version'],
      'CONFIG_TYPE',
      `canary and stable are both version '${stable.version}'`,
    );
  const stickiness = r.string(s.stickiness, [...path, 'stickiness']) ?? DEFAULTS.stickiness;
  if (!ATTRIBUTE.test(stickiness))
    r.error(
      [...path, 'stickiness'],
      'CONFIG_TYPE',
      'stickiness must be a context attribute such as playerId or user.id',
    );
  const context = readContext(s.context, [...path, 'context'], r);
  if (s.context !== undefined && !(stickiness in context))
    r.warn(
      [...path, 'stickiness'],
      'CONFIG_REQUIRED',
      `no context source gives '${stickiness}': every player is bucketed by the pitboss_uid cookie`,
    );
  const endpoints: EndpointConfig[] = [];
  r.array(s.endpoints, [...path, 'endpoints'])?.forEach((e, i) => {
    const ep = readEndpoint(e, [...path, 'endpoints', i], r);
    if (ep) endpoints.push(ep);
  });
  const t =
    s.timeouts === undefined
      ? {}
      : (r.object(s.timeouts, [...path, 'timeouts'], { connectMs: 'read', responseMs: 'read' }) ?? {});
  const m =
    s.mirror === undefined
      ? {}
      : (r.object(s.mirror, [...path, 'mirror'], { maxConcurrent: 'read', maxBodyBytes: 'read' }) ?? {});
  const cb =
    s.circuitBreaker === undefined
      ? {}
      : (r.object(s.circuitBreaker, [...path, 'circuitBreaker'], { failures: 'read', cooldown: 'read' }) ??
        {});
  const healthCheck =
    s.healthCheck === undefined ? undefined : readHealth(s.healthCheck, [...path, 'healthCheck'], r);
  const route = s.route === undefined ? { weight: 0, mirror: 0 } : readRoute(s.route, [...path, 'route'], r);
  if (!name || !match || !stable) return undefined;
  return {
    name,
    match,
    stable,
    ...(canary ? { canary } : {}),
    stickiness,
    context: s.context === undefined ? { [stickiness]: { header: 'x-player-id' } } : context,
    endpoints,
    timeouts: {
      connectMs: r.integer(t.connectMs, [...path, 'timeouts', 'connectMs'], 1) ?? DEFAULTS.connectMs,
      responseMs: r.integer(t.responseMs, [...path, 'timeouts', 'responseMs'], 1) ?? DEFAULTS.responseMs,
    },
    retries: r.number(s.retries, [...path, 'retries'], 0, 5) ?? DEFAULTS.retries,
    maxBodyBytes: r.integer(s.maxBodyBytes, [...path, 'maxBodyBytes'], 0) ?? DEFAULTS.maxBodyBytes,
    mirror: {
      maxConcurrent:
        r.integer(m.maxConcurrent, [...path, 'mirror', 'maxConcurrent'], 0) ?? DEFAULTS.mirrorMaxConcurrent,
      maxBodyBytes:
        r.integer(m.maxBodyBytes, [...path, 'mirror', 'maxBodyBytes'], 0) ?? DEFAULTS.mirrorMaxBodyBytes,
    },
    ...(healthCheck ? { healthCheck } : {}),
    circuitBreaker: {
      failures:
        r.integer(cb.failures, [...path, 'circuitBreaker', 'failures'], 1) ?? DEFAULTS.breakerFailures,
      cooldownMs:
        r.duration(cb.cooldown, [...path, 'circuitBreaker', 'cooldown'], 1) ?? DEFAULTS.breakerCooldownMs,
    },
    route,
  };
}

function readMatch(value: unknown, path: Path, r: SpecReader): ServiceConfig['match'] | undefined {
  if (!r.required(value, path, '{pathPrefix} or {host}')) return undefined;
  const m = r.object(value, path, { pathPrefix: 'read', host: 'read' });
  if (!m) return undefined;
  const prefix = r.string(m.pathPrefix, [...path, 'pathPrefix']);
  const host = r.string(m.host, [...path, 'host'])?.toLowerCase();
  if (prefix === undefined && host === undefined) {
    r.error(path, 'CONFIG_REQUIRED', 'match needs pathPrefix, host or both');
    return undefined;
  }
  if (prefix !== undefined && !prefix.startsWith('/'))
    r.error(
      [...path, 'pathPrefix'],
      'CONFIG_TYPE',
      `pathPrefix must start with '/', not ${JSON.stringify(prefix)}`,
    );
  if (host !== undefined && !HOST.test(host))
    r.error(
      [...path, 'host'],
      'CONFIG_TYPE',
      `host must be a host name without port, not ${JSON.stringify(host)}`,
    );
  return { ...(prefix === undefined ? {} : { pathPrefix: prefix }), ...(host === undefined ? {} : { host }) };
}

function readPool(value: unknown, path: Path, r: SpecReader): PoolConfig | undefined {
  const p = r.object(value, path, { version: 'read', upstreams: 'read' });
  if (!p) return undefined;
  const version = r.required(p.version, [...path, 'version'], 'the version label')
    ? r.string(p.version, [...path, 'version'])
    : undefined;
  const upstreams: string[] = [];
  if (r.required(p.upstreams, [...path, 'upstreams'], 'a list of upstream URLs'))
    r.array(p.upstreams, [...path, 'upstreams'])?.forEach((u, i) => {
      const url = r.url(u, [...path, 'upstreams', i]);
      if (url !== undefined) upstreams.push(url);
    });
  if (Array.isArray(p.upstreams) && p.upstreams.length === 0)
    r.error([...path, 'upstreams'], 'CONFIG_REQUIRED', 'at least one upstream URL');
  return version === undefined ? undefined : { version, upstreams };
}

function readContext(value: unknown, path: Path, r: SpecReader): Record<string, ContextSource> {
  const out: Record<string, ContextSource> = {};
  if (value === undefined) return out;
  if (!isPlainObject(value)) {
    r.error(path, 'CONFIG_TYPE', 'context must be a mapping of attribute → {header|cookie|jwtClaim}');
    return out;
  }
  for (const [attr, raw] of Object.entries(value)) {
    const at = [...path, attr];
    if (!ATTRIBUTE.test(attr))
      r.error(at, 'CONFIG_INVALID_KEY', `'${attr}' is not an attribute name (letters, digits, _ and dots)`);
    const src = r.object(raw, at, { header: 'read', cookie: 'read', jwtClaim: 'read' });
    if (!src) continue;
    const given = Object.keys(src);
    if (given.length !== 1) {
      r.error(at, 'CONFIG_TYPE', `${attr} takes exactly one of header, cookie or jwtClaim`);
      continue;
    }
    const kind = given[0] as 'header' | 'cookie' | 'jwtClaim';
    const name = r.string(src[kind], [...at, kind]);
    if (name === undefined) continue;
    if (kind === 'header' && !HEADER.test(name))
      r.error([...at, kind], 'CONFIG_TYPE', `'${name}' is not a header name`);
    out[attr] =
      kind === 'header'
        ? { header: name.toLowerCase() }
        : kind === 'cookie'
          ? { cookie: name }
          : { jwtClaim: name };
  }
  return out;
}

function readEndpoint(value: unknown, path: Path, r: SpecReader): EndpointConfig | undefined {
  const e = r.object(value, path, { name: 'read', method: 'read', path: 'read', pspHeader: 'read' });
  if (!e) return undefined;
  const name = r.required(e.name, [...path, 'name'], 'the endpoint label')
    ? r.string(e.name, [...path, 'name'])
    : undefined;
  const p = r.required(e.path, [...path, 'path'], 'the request path')
    ? r.string(e.path, [...path, 'path'])
    : undefined;
  if (p !== undefined && !p.startsWith('/'))
    r.error([...path, 'path'], 'CONFIG_TYPE', `path must start with '/'`);
  const method = r.string(e.method, [...path, 'method'])?.toUpperCase();
  if (method !== undefined && !METHODS.has(method))
    r.error([...path, 'method'], 'CONFIG_TYPE', `unknown method ${method}`);
  const psp = r.string(e.pspHeader, [...path, 'pspHeader']);
  if (!name || !p) return undefined;
  return { name, path: p, ...(method ? { method } : {}), ...(psp ? { pspHeader: psp.toLowerCase() } : {}) };
}

function readHealth(value: unknown, path: Path, r: SpecReader): HealthCheckConfig | undefined {
  const h = r.object(value, path, {
    path: 'read',
    interval: 'read',
    timeout: 'read',
    unhealthyThreshold: 'read',
    healthyThreshold: 'read',
  });
  if (!h) return undefined;
  const p = r.string(h.path, [...path, 'path']) ?? DEFAULTS.healthPath;
  if (!p.startsWith('/')) r.error([...path, 'path'], 'CONFIG_TYPE', `path must start with '/'`);
  return {
    path: p,
    intervalMs: r.duration(h.interval, [...path, 'interval'], 100) ?? DEFAULTS.healthIntervalMs,
    timeoutMs: r.duration(h.timeout, [...path, 'timeout'], 1) ?? DEFAULTS.healthTimeoutMs,
    unhealthyThreshold:
      r.integer(h.unhealthyThreshold, [...path, 'unhealthyThreshold'], 1) ?? DEFAULTS.unhealthyThreshold,
    healthyThreshold:
      r.integer(h.healthyThreshold, [...path, 'healthyThreshold'], 1) ?? DEFAULTS.healthyThreshold,
  };
}

function readRoute(value: unknown, path: Path, r: SpecReader): RouteState {
  const o = r.object(value, path, { weight: 'read', mirror: 'read', segment: 'read' }) ?? {};
  const segment = r.string(o.segment, [...path, 'segment']);
  if (segment !== undefined) {
    const compiled = compileExpression(segment, {
      clock: Date.now,
      segment: () => undefined,
      segmentStatus: () => 'missing',
    });
    r.expression(compiled.diagnostics, segment, [...path, 'segment']);
  }
  return {
    weight: r.number(o.weight, [...path, 'weight'], 0, 100) ?? 0,
    mirror: r.number(o.mirror, [...path, 'mirror'], 0, 100) ?? 0,
    ...(segment ? { segment } : {}),
  };
}
