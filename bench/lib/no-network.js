// Offline guard for benchmark child processes: any outbound socket is refused and counted, so a peer SDK
// that quietly tries to phone home shows up in the results (networkAttempts > 0) instead of skewing timings
// or hanging on a blocked network. http, https, tls and fetch (undici) all connect through net.Socket.
import net from 'node:net';

export const networkAttempts = [];

const originalConnect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function connect(...args) {
  // Internal callers pass pre-normalised [options, callback] arrays.
  const target = Array.isArray(args[0]) ? args[0][0] : args[0];
  const where =
    typeof target === 'object' && target !== null
      ? `${target.host ?? ''}:${target.port ?? target.path ?? ''}`
      : String(target);
  networkAttempts.push(where);
  // Fail asynchronously, like a refused connection, so the caller's own error handling runs.
  process.nextTick(() => this.destroy(new Error(`network disabled in benchmark (connect ${where})`)));
  return this;
};

/** For tests of the guard itself. */
export function restoreNetwork() {
  net.Socket.prototype.connect = originalConnect;
}
