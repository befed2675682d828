// Pitboss control plane as an SSE benchmark target. Everything specific to its API is in this file:
//   start   node packages/server/dist/cli/main.js server --port <p> --host 127.0.0.1 --log-level warn
//           --database sqlite:<tmp>/pitboss.db, env PITBOSS_ADMIN_TOKEN=pb_api_bench_<random hex> (the server
//           insists on the pb_api_ prefix); ready when GET /readyz answers 200. `--log-level warn` keeps 10,000
//           per-request log lines out of the connect phase; the change itself is one request either way.
//   setup   POST /api/v1/flags {"key":"bench_flag","kind":"ops","expiresAt":…,"rules":[{"if":"true"}]}
//   stream  GET /sdk/v1/stream?environment=prod, authorization: Bearer <token>; first event `snapshot`
//   change  POST /api/v1/flags/bench_flag/environments/prod/kill {"on": true|false, "reason": "bench"},
//           which every stream receives as `event: change` with a numeric `version` in its data
// Throws TargetUnavailable (reported as 'not available', not a failure) while the CLI has no `server` command,
// the server is not ready within 15 s, or an endpoint answers 404/405/501.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnNode, stopChild, tail } from '../proc.js';
import { TargetUnavailable } from './unavailable.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// BENCH_PITBOSS_SERVER=/path/to/main.js benchmarks another build of the CLI (same command line and API).
const MAIN = process.env.BENCH_PITBOSS_SERVER
  ? path.resolve(process.env.BENCH_PITBOSS_SERVER)
  : path.join(ROOT, 'packages/server/dist/cli/main.js');
const READY_TIMEOUT_MS = 15_000;
const FLAG = 'bench_flag';
const ENVIRONMENT = 'prod';
const NOT_IMPLEMENTED = [404, 405, 501];

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

function serverVersion() {
  try {
    return JSON.parse(readFileSync(path.join(ROOT, 'packages/server/package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
}

/**
 * Checks for the `server` command without starting it. Commander prints the program's help (exit 0) for
 * `<unknown> --help`, so look for the command's own usage line.
 */
function checkServerCommand() {
  if (!existsSync(MAIN))
    throw new TargetUnavailable(`${path.relative(ROOT, MAIN)} not built (npm run build)`);
  const help = spawnSync(process.execPath, [MAIN, 'server', '--help'], { encoding: 'utf8', timeout: 15_000 });
  if (!/^Usage: \S+ server\b/m.test(help.stdout ?? '')) {
    throw new TargetUnavailable(`${path.relative(ROOT, MAIN)} has no 'server' command yet`);
  }
}

export const pitboss = {
  name: 'pitboss',
  about: 'Pitboss control plane (packages/server), kill switch on bench_flag',
  async start() {
    checkServerCommand();
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pitboss-bench-sse-'));
    const token = 'pb_api_bench_' + randomBytes(16).toString('hex');
    /** @type {import('node:child_process').ChildProcess} */
    const child = spawnNode(
      [
        MAIN,
        'server',
        '--port',
        String(port),
        '--host',
        '127.0.0.1',
        '--log-level',
        'warn',
        '--database',
        `sqlite:${path.join(dir, 'pitboss.db')}`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PITBOSS_ADMIN_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    // Drain the server's log output (an unread pipe would eventually block it); keep the tail for errors.
    const output = tail(child.stderr);
    const stdout = tail(child.stdout);
    const stop = async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    };
    const auth = { authorization: `Bearer ${token}` };

    try {
      const host = await waitReady(child, port, () => output() || stdout());
      const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      const created = await fetch(`${base}/api/v1/flags`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          key: FLAG,
          kind: 'ops',
          expiresAt: '2030-01-01T00:00:00Z',
          rules: [{ if: 'true' }],
        }),
      });
      const answer = (await created.text()).slice(0, 300);
      if (NOT_IMPLEMENTED.includes(created.status)) {
        throw new TargetUnavailable(`POST /api/v1/flags answered ${created.status}: ${answer}`);
      }
      if (!created.ok && created.status !== 409) {
        const log = (output() || stdout()).split('\n').filter(Boolean).pop()?.slice(0, 400) ?? '(none)';
        throw new Error(
          `creating ${FLAG}: POST /api/v1/flags answered ${created.status}: ${answer}; server log: ${log}`,
        );
      }
      return {
        host,
        port,
        version: serverVersion(),
        stream: { path: `/sdk/v1/stream?environment=${ENVIRONMENT}`, headers: auth },
        // The flag starts live, so the first change (on: true) and every later one flip its kill switch.
        trigger: (i) => ({
          method: 'POST',
          path: `/api/v1/flags/${FLAG}/environments/${ENVIRONMENT}/kill`,
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ on: i % 2 === 0, reason: 'bench' }),
        }),
        stop,
      };
    } catch (err) {
      await stop();
      throw err;
    }
  },
};

/** Polls GET /readyz on 127.0.0.1 and ::1 until one answers 200; resolves with that host. */
async function waitReady(child, port, logTail) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new TargetUnavailable(
        `server exited ${child.signalCode ?? child.exitCode} before ready: ${firstLine(logTail())}`,
      );
    }
    for (const host of ['127.0.0.1', '::1']) {
      try {
        const res = await fetch(`http://${host.includes(':') ? `[${host}]` : host}:${port}/readyz`, {
          signal: AbortSignal.timeout(1000),
        });
        await res.arrayBuffer();
        if (res.status === 200) return host;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err.cause?.code ?? err.message;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new TargetUnavailable(`GET /readyz not 200 within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

function firstLine(text) {
  return text.split('\n').find((l) => l.trim()) ?? '(no output)';
}
