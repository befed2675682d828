// The two floor targets: bare servers that do nothing but hold the streams and fan one pre-encoded event out
// to all of them on `POST /trigger`. Each runs in its own process (./floor-*-server.js).
import { fileURLToPath } from 'node:url';
import { spawnNode, stopChild, tail } from '../proc.js';

function floorTarget(name, script, about) {
  return {
    name,
    about,
    async start() {
      const child = spawnNode([fileURLToPath(new URL(script, import.meta.url))], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stderr = tail(child.stderr);
      const port = await new Promise((resolve, reject) => {
        let out = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const m = /listening (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', (code, signal) =>
          reject(new Error(`${name} server exited ${signal ?? code}: ${stderr()}`)),
        );
      });
      return {
        host: '127.0.0.1',
        port,
        version: process.version,
        stream: { path: '/stream', headers: {} },
        trigger: () => ({ method: 'POST', path: '/trigger', headers: {}, body: '' }),
        stop: () => stopChild(child),
      };
    },
  };
}

export const floorNet = floorTarget(
  'floor-net',
  './floor-net-server.js',
  'bare node:net server writing the same pre-encoded bytes to every socket',
);

export const floorHttp = floorTarget(
  'floor-http',
  './floor-http-server.js',
  'bare node:http server calling res.write on every open response',
);
