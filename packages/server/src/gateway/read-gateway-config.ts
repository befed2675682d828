import type { Diagnostic } from '@pitboss/engine';
import { SpecReader } from '../rollouts/spec-reader.js';
import { DEFAULTS, type GatewayConfig, type ServiceConfig } from './gateway-config.js';
import { readService } from './read-gateway-service.js';

export interface GatewayConfigResult {
  /** Undefined when there is any error. */
  readonly config?: GatewayConfig;
  readonly diagnostics: readonly Diagnostic[];
}

export interface ReadGatewayOptions {
  /** Where `jwt.secretEnv` is looked up; process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Reads a `kind: Gateway` document (parsed JSON or YAML) into a normalised config, collecting every problem as a
 * diagnostic with its path (the CLI places them on file lines). Reference: docs/gateway.md.
 */
export function readGatewayConfig(doc: unknown, options: ReadGatewayOptions = {}): GatewayConfigResult {
  const r = new SpecReader();
  const top = r.object(doc, [], { apiVersion: 'read', kind: 'read', metadata: 'read', spec: 'read' });
  if (!top) return { diagnostics: r.diagnostics };
  if (top.apiVersion !== undefined && top.apiVersion !== 'pitboss.dev/v1')
    r.error(
      ['apiVersion'],
      'CONFIG_TYPE',
      `apiVersion must be pitboss.dev/v1, not ${JSON.stringify(top.apiVersion)}`,
    );
  if (top.kind !== 'Gateway')
    r.error(['kind'], top.kind === undefined ? 'CONFIG_REQUIRED' : 'CONFIG_TYPE', 'kind must be Gateway');
  if (top.metadata !== undefined) r.object(top.metadata, ['metadata'], { name: 'read', labels: 'read' });
  if (!r.required(top.spec, ['spec'], 'listen, services')) return { diagnostics: r.diagnostics };
  const spec = r.object(top.spec, ['spec'], {
    listen: 'read',
    services: 'read',
    jwt: 'read',
    versionHeader: 'read',
    websocket: 'read',
  });
  if (!spec) return { diagnostics: r.diagnostics };
  const listen =
    spec.listen === undefined
      ? {}
      : (r.object(spec.listen, ['spec', 'listen'], { host: 'read', port: 'read' }) ?? {});
  const ws =
    spec.websocket === undefined
      ? {}
      : (r.object(spec.websocket, ['spec', 'websocket'], { pingInterval: 'read' }) ?? {});
  const jwt = readJwt(spec.jwt, r, options.env ?? process.env);
  const services: ServiceConfig[] = [];
  const names = new Set<string>();
  const matches = new Set<string>();
  r.required(spec.services, ['spec', 'services'], 'the services the gateway routes');
  r.array(spec.services, ['spec', 'services'])?.forEach((raw, i) => {
    const s = readService(raw, ['spec', 'services', i], r);
    if (!s) return;
    if (names.has(s.name))
      r.error(['spec', 'services', i, 'name'], 'CONFIG_DUPLICATE_KEY', `service '${s.name}' appears twice`);
    const m = `${s.match.host ?? ''} ${s.match.pathPrefix ?? ''}`;
    if (matches.has(m))
      r.error(['spec', 'services', i, 'match'], 'CONFIG_DUPLICATE_KEY', 'another service has the same match');
    names.add(s.name);
    matches.add(m);
    services.push(s);
  });
  const config: GatewayConfig = {
    listen: {
      host: r.string(listen.host, ['spec', 'listen', 'host']) ?? DEFAULTS.host,
      port: r.number(listen.port, ['spec', 'listen', 'port'], 0, 65_535) ?? DEFAULTS.port,
    },
    services,
    jwt,
    versionHeader: r.boolean(spec.versionHeader, ['spec', 'versionHeader']) ?? true,
    wsPingIntervalMs:
      r.duration(ws.pingInterval, ['spec', 'websocket', 'pingInterval']) ?? DEFAULTS.wsPingIntervalMs,
  };
  return r.failed ? { diagnostics: r.diagnostics } : { config, diagnostics: r.diagnostics };
}

function readJwt(
  value: unknown,
  r: SpecReader,
  env: Readonly<Record<string, string | undefined>>,
): { secret?: string } {
  if (value === undefined) return {};
  const j = r.object(value, ['spec', 'jwt'], { secret: 'read', secretEnv: 'read' });
  if (!j) return {};
  if (j.secret !== undefined && j.secretEnv !== undefined)
    r.error(['spec', 'jwt'], 'CONFIG_TYPE', 'give jwt.secret or jwt.secretEnv, not both');
  const name = r.string(j.secretEnv, ['spec', 'jwt', 'secretEnv']);
  if (name !== undefined) {
    const secret = env[name];
    if (!secret)
      r.error(['spec', 'jwt', 'secretEnv'], 'CONFIG_REQUIRED', `environment variable ${name} is not set`);
    return secret ? { secret } : {};
  }
  const secret = r.string(j.secret, ['spec', 'jwt', 'secret']);
  return secret ? { secret } : {};
}
