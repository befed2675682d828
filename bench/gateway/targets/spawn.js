// Starting a Node child that prints one JSON line (its ports) on stdout once it listens.
import { spawnNode, stopChild, tail } from '../../sse/proc.js';

// Thrown by a target's start() when it cannot run here at all (nginx not installed, gateway not built): the
// suite reports 'not available: <message>' for it instead of failing.
export class TargetUnavailable extends Error {
  name = 'TargetUnavailable';
}

/**
 * Spawns `node script [arg]` and resolves with `{ info, stop }` once the child printed its JSON line; rejects
 * when it exits first or stays silent for `timeoutMs`. `Unavailable` lets a child say it cannot run here:
 * a line `{"unavailable": "reason"}` rejects with TargetUnavailable.
 */
export function startNodeChild(name, script, arg, { timeoutMs = 15_000, env } = {}) {
  const child = spawnNode([script, ...(arg === undefined ? [] : [JSON.stringify(arg)])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ? { ...process.env, ...env } : process.env,
  });
  const stderr = tail(child.stderr);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stopChild(child);
      reject(new Error(`${name} did not report its port within ${timeoutMs / 1000} s: ${stderr()}`));
    }, timeoutMs);
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited ${signal ?? code} before listening: ${stderr() || out.trim()}`));
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout.removeAllListeners('data');
      // Keep draining (a full pipe would block the child) and keep the rest for lastLine().
      let rest = out.slice(nl + 1);
      child.stdout.on('data', (more) => {
        rest = (rest + more).slice(-100_000);
      });
      let info;
      try {
        info = JSON.parse(out.slice(0, nl));
      } catch {
        void stopChild(child);
        reject(new Error(`${name} printed '${out.slice(0, 200)}' instead of its port`));
        return;
      }
      if (info.unavailable) {
        void stopChild(child);
        reject(new TargetUnavailable(info.unavailable));
        return;
      }
      /** The last JSON line the child printed after its port (e.g. a report on SIGTERM), if any. */
      const lastLine = () => {
        const line = rest.trim().split('\n').pop();
        try {
          return line ? JSON.parse(line) : undefined;
        } catch {
          return undefined;
        }
      };
      resolve({ info, pid: child.pid, stop: () => stopChild(child), stderr, lastLine });
    });
    child.once('exit', onExit);
  });
}
