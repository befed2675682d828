// The targets, in table order. An adapter is { name, about, splits, start({ stable, canary, weight }) } where
// start() resolves with { host, port, version, pid?, stop() } or throws TargetUnavailable. `direct` is the
// baseline of the added-latency columns, `node-proxy` the reference of the targets.
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../../lib/versions.js';
import { nginx } from './nginx.js';
import { pitboss } from './pitboss.js';
import { startNodeChild } from './spawn.js';

const NODE_PROXY = fileURLToPath(new URL('./node-proxy-server.js', import.meta.url));

export const direct = {
  name: 'direct',
  about: 'straight to the stable upstream, no proxy (the baseline for added latency)',
  splits: false,
  async start({ stable }) {
    return { host: '127.0.0.1', port: stable, version: process.version, stop: async () => {} };
  },
};

export const nodeProxy = {
  name: 'node-proxy',
  about: 'bare node:http + undici Pool.stream proxy: hash of the player id → stable or canary, nothing else',
  splits: true,
  async start({ stable, canary, weight }) {
    const child = await startNodeChild('node-proxy', NODE_PROXY, { stable, canary, weight });
    return {
      host: '127.0.0.1',
      port: child.info.port,
      version: `undici ${packageVersion('undici')}`,
      pid: child.pid,
      stop: child.stop,
    };
  },
};

export const TARGETS = [direct, { ...nginx, splits: true }, nodeProxy, { ...pitboss, splits: true }];
export const BASELINE = direct.name;
export const BARE = nodeProxy.name;
export const NGINX = nginx.name;
export const REFERENCE = pitboss.name;
