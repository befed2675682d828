// Adapter for ./pitboss-gateway.js (the gateway in its own process); everything Pitboss-specific is there.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNodeChild } from './spawn.js';

const SCRIPT = fileURLToPath(new URL('./pitboss-gateway.js', import.meta.url));

export const pitboss = {
  name: 'pitboss',
  about: 'Pitboss gateway: segment rule + sticky weight by player id + per-version metrics',
  async start({ stable, canary, weight }) {
    const child = await startNodeChild('pitboss', SCRIPT, { stable, canary, weight });
    const version = pitbossVersion();
    return {
      host: '127.0.0.1',
      port: child.info.port,
      version,
      pid: child.pid,
      /** Stops the gateway; resolves with what its metrics recorded ({ recorded: { v1: n, v2: m } }). */
      async stop() {
        await child.stop();
        return child.lastLine();
      },
    };
  },
};

function pitbossVersion() {
  try {
    const url = new URL('../../../packages/server/package.json', import.meta.url);
    return JSON.parse(readFileSync(url, 'utf8')).version;
  } catch {
    return '?';
  }
}
