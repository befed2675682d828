import { performance } from 'node:perf_hooks';
import type { ProxyEnv } from './http-proxy.js';
import type { ServiceRuntime } from './service-runtime.js';

/** Marks shadow requests so downstream systems can skip side effects (no real deposit for a mirrored one). */
export const MIRROR_HEADER = 'x-pitboss-mirror';

/**
 * Shadow traffic: sends a copy of a request the stable version serves to the canary, for `route.mirror` percent
 * of requests. Fire-and-forget on the canary target's separate mirror connections: the player's response never
 * waits for it and never sees its failure. Bounded — at most `mirror.maxConcurrent` in flight per service, bodies
 * over `mirror.maxBodyBytes` not mirrored — so a slow or dead canary costs at most that many sockets. The result
 * counts toward the canary's measurements (that is the point of a shadow step) and toward
 * `pitboss_gateway_mirrored_requests_total`.
 */
export function mirrorRequest(
  env: ProxyEnv,
  svc: ServiceRuntime,
  method: string,
  path: string,
  headers: readonly string[],
  body: Buffer | null,
): void {
  const percent = svc.route.state.mirror;
  const canary = svc.canary;
  if (percent <= 0 || !canary || env.random() * 100 >= percent) return;
  const version = canary.version;
  if (
    (body?.length ?? 0) > svc.config.mirror.maxBodyBytes ||
    svc.mirrorsInFlight >= svc.config.mirror.maxConcurrent
  ) {
    env.metrics.mirror(svc.name, version, 'skipped');
    return;
  }
  const target = canary.pickForMirror();
  if (!target) {
    env.metrics.mirror(svc.name, version, 'skipped');
    return;
  }
  svc.mirrorsInFlight++;
  canary.lease();
  const started = performance.now();
  const timeout = svc.config.timeouts.responseMs;
  const endpoint = svc.endpoint(method, path);
  const measure = (status: number) => {
    svc.mirrorsInFlight--;
    canary.unlease();
    env.metrics.mirror(svc.name, version, status >= 100 && status < 500 ? 'sent' : 'failed');
    env.metrics.request({
      service: svc.name,
      version,
      rolloutStep: svc.route.rolloutStep,
      endpoint: endpoint?.name ?? svc.defaultEndpoint,
      method,
      status,
      latencyMs: performance.now() - started,
    });
  };
  target.mirrorDispatcher
    .request({
      path: target.basePath + path,
      method,
      headers: [...headers, MIRROR_HEADER, '1'],
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    })
    .then(
      async (res) => {
        try {
          await res.body.dump();
          measure(res.statusCode);
        } catch {
          measure(0);
        }
      },
      () => measure(0),
    );
}
