// Child processes for the SSE suite: open-files limits, and spawning node with the limit raised when possible.
// 10,000 streams need 10,000 descriptors in the server process and as many in the load generator (they are
// separate processes, so each needs N plus a few dozen, not 2N).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** Below this soft limit, children are started through `bash -c 'ulimit -n …'`. */
export const WANTED_FD_LIMIT = 25_000;
const RAISE_TO = 65_536;
/** Descriptors a process needs besides its streams (stdio, listeners, epoll, worker pipes, sqlite…). */
export const FD_OVERHEAD = 200;

const BASH = ['/bin/bash', '/usr/bin/bash'].find((p) => existsSync(p)) ?? null;
const RAISE = `ulimit -n ${RAISE_TO} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null`;

function readLimits() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [, soft, hard] = line.split(/\s{2,}/);
    const num = (v) => (v === 'unlimited' ? Number.POSITIVE_INFINITY : Number(v));
    return { soft: num(soft), hard: num(hard) };
  } catch {
    return null;
  }
}

let cached;
/**
 * What this process has, and what its children get. `raise` says whether children are wrapped in bash.
 * @returns {{ soft: number | null, hard: number | null, children: number | null, raise: boolean, note: string }}
 */
export function fdLimits() {
  if (cached) return cached;
  const own = readLimits();
  const raise = BASH !== null && (own === null || own.soft < WANTED_FD_LIMIT);
  let children = own?.soft ?? null;
  if (raise) {
    const out = spawnSync(BASH, ['-c', `${RAISE}; ulimit -n`], { encoding: 'utf8' }).stdout?.trim();
    children = out === 'unlimited' ? Number.POSITIVE_INFINITY : Number(out) || children;
  }
  let note;
  if (own === null) note = `open files: unknown (no /proc); children: ${children ?? 'unknown'}`;
  else if (!raise) note = `open files (ulimit -n): ${own.soft}`;
  else if (children >= RAISE_TO)
    note = `open files (ulimit -n): ${own.soft}, raised to ${children} for children`;
  else {
    note =
      `open files (ulimit -n): ${own.soft}, hard limit ${own.hard}: could not raise to ${RAISE_TO}, ` +
      `children get ${children}`;
  }
  cached = { soft: own?.soft ?? null, hard: own?.hard ?? null, children, raise, note };
  return cached;
}

/** Spawns `node <args>` with the open-files limit raised as far as allowed. */
export function spawnNode(args, options = {}) {
  if (fdLimits().raise) {
    return spawn(BASH, ['-c', `${RAISE}; exec "$0" "$@"`, process.execPath, ...args], options);
  }
  return spawn(process.execPath, args, options);
}

/**
 * Keeps the last `max` characters a child wrote to a stream, for error messages.
 * @returns {() => string}
 */
export function tail(stream, max = 2000) {
  let text = '';
  stream?.on('data', (chunk) => {
    text = (text + chunk).slice(-max);
  });
  return () => text.trim();
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
