// nginx from Debian's package doing the same weighted split: `split_clients` on the player-id header picks the
// canary or stable upstream group, each with a keep-alive pool. One worker process (the master only supervises),
// its own config, pid, logs and temp directories in a fresh temp dir: nothing under /etc or /var is used.
// Not installed → 'not available' (apt-get install -y nginx), never a failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stopChild, tail } from '../../sse/proc.js';
import { PLAYER_HEADER } from '../split.js';
import { TargetUnavailable } from './spawn.js';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx'];
const READY_TIMEOUT_MS = 10_000;

/** Path and version of the nginx binary, or undefined when there is none. */
export function findNginx() {
  for (const bin of [process.env.BENCH_NGINX, ...CANDIDATES].filter(Boolean)) {
    const out = spawnSync(bin, ['-v'], { encoding: 'utf8' });
    if (out.error) continue;
    const version = /nginx\/(\S+)/.exec(out.stderr + out.stdout)?.[1] ?? '?';
    return { bin, version };
  }
  return undefined;
}

/**
 * The config. split_clients hashes the key with MurmurHash2 into 2^32 and assigns the first `weight` % to
 * the canary; `proxy_pass http://$pool` names the upstream group. `keepalive_requests` is raised from
 * 1,000 (nginx 1.19.10+ default), which would otherwise close every client connection after 1,000 requests.
 */
export function nginxConfig({ dir, port, stable, canary, weight }) {
  const header = PLAYER_HEADER.replaceAll('-', '_');
  const user = process.getuid?.() === 0 ? 'user nobody nogroup;\n' : '';
  return `# written by bench/gateway/targets/nginx.js
daemon off;
master_process on;
worker_processes 1;
${user}pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 120s;
  upstream stable { server 127.0.0.1:${stable}; keepalive 64; keepalive_requests 1000000; }
  upstream canary { server 127.0.0.1:${canary}; keepalive 64; keepalive_requests 1000000; }
  split_clients "\${http_${header}}" $pool {
    ${weight}% canary;
    * stable;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://$pool;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const nginx = {
  name: 'nginx',
  about: 'nginx (Debian package), 1 worker, split_clients on the player id',
  async start({ stable, canary, weight }) {
    const found = findNginx();
    if (!found) throw new TargetUnavailable('nginx is not installed (apt-get install -y nginx)');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pitboss-bench-nginx-'));
    const port = await freePort();
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, nginxConfig({ dir, port, stable, canary, weight }));
    const child = spawn(found.bin, ['-p', dir, '-c', file, '-e', path.join(dir, 'error.log')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr = tail(child.stderr);
    tail(child.stdout);
    const stop = async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not start: ${stderr() || 'no output'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return { host: '127.0.0.1', port, version: found.version, pid: child.pid, stop };
  },
};
