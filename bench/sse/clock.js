// One monotonic clock for the load generator: process.hrtime is per process, not per thread, so the trigger
// time taken on the client's main thread and the receipt times taken in its worker threads are comparable
// exactly (performance.now() is not: every worker has its own timeOrigin).

/** Milliseconds, monotonic, sub-microsecond resolution. */
export function now() {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}
