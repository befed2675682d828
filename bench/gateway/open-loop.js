// Open-loop load at a fixed rate with coordinated-omission-corrected timing (Gil Tene; wrk2's model).
//
// Request i is *intended* to leave at start + i / rate, whatever happened to the requests before it. A request
// that could not leave on time — every connection busy because the proxy stalled, or the generator's timer
// late — waits in a FIFO queue, and its latency is counted from its intended time, not from the moment it was
// written. A closed-loop generator (or one timing from the actual send) stops sending exactly while the system
// is slow, so the stall is never measured; here the queued requests carry the stall in their latencies.
//
// Pure bookkeeping with the clock passed in, so the arithmetic is unit-tested (gateway.test.ts); loadgen.js
// drives it with real sockets.

/** Intended send time (ms) of request `index` (0-based) on the schedule. */
export function intendedAt(startMs, index, rate) {
  return startMs + (index * 1000) / rate;
}

/** How many requests of the schedule are due at `nowMs` (intended time ≤ now), at most `total`. */
export function dueCount(startMs, nowMs, rate, total) {
  if (nowMs < startMs) return 0;
  // The epsilon keeps `start + i/rate` (computed in floating point) from landing a hair after `now` for an
  // index that is exactly due.
  return Math.min(total, Math.floor(((nowMs - startMs) * rate) / 1000 + 1e-9) + 1);
}

/** Coordinated-omission-corrected latency: from the intended send time to the end of the response. */
export function correctedLatency(intendedMs, doneMs) {
  return doneMs - intendedMs;
}

/**
 * The schedule and the queue of requests that are due but not sent yet.
 * `poll(now)` moves newly due requests into the queue; `take()` hands out the oldest queued intended time.
 */
export class OpenLoopSchedule {
  /** @param {{ rate: number, total: number, startMs: number }} options */
  constructor({ rate, total, startMs }) {
    if (!(rate > 0)) throw new Error('rate must be > 0');
    this.rate = rate;
    this.total = total;
    this.startMs = startMs;
    this.scheduled = 0; // requests moved into the queue so far
    this.queue = [];
    this.head = 0;
  }

  /** Queues every request due by `nowMs`; returns how many became due. */
  poll(nowMs) {
    const due = dueCount(this.startMs, nowMs, this.rate, this.total);
    const added = due - this.scheduled;
    for (; this.scheduled < due; this.scheduled++) {
      // `polled`: when the generator noticed the request was due. polled − intended is the generator's own
      // lateness (timer granularity, a starved process); what follows until the write is the wait for a free
      // connection, i.e. the system under test still busy with earlier requests.
      this.queue.push({
        index: this.scheduled,
        intended: intendedAt(this.startMs, this.scheduled, this.rate),
        polled: nowMs,
      });
    }
    return Math.max(0, added);
  }

  /** @returns {{ index: number, intended: number, polled: number } | undefined} the oldest due, unsent request */
  take() {
    if (this.head === this.queue.length) return undefined;
    const item = this.queue[this.head++];
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get queued() {
    return this.queue.length - this.head;
  }

  /** True once every request of the schedule has been queued (sent or not). */
  get exhausted() {
    return this.scheduled >= this.total;
  }

  /** Milliseconds until the next request is due (≤ 0 when one is due now); Infinity when exhausted. */
  untilNext(nowMs) {
    if (this.exhausted) return Number.POSITIVE_INFINITY;
    return intendedAt(this.startMs, this.scheduled, this.rate) - nowMs;
  }
}

/**
 * Deterministic model of the generator for tests and for reasoning: `connections` keep-alive connections, each
 * carrying one request at a time; `serviceMs(index)` is how long request `index` takes once sent. Returns, per
 * request, its intended, sent and done times, and both latencies (corrected and from the actual send).
 * @param {{ rate: number, total: number, connections: number, serviceMs: (index: number) => number }} options
 */
export function simulateOpenLoop({ rate, total, connections, serviceMs }) {
  const schedule = new OpenLoopSchedule({ rate, total, startMs: 0 });
  const freeAt = new Array(connections).fill(0);
  const out = [];
  let now = 0;
  while (out.length < total) {
    // Next event: a request becoming due or a connection freeing up, whichever is first and useful.
    schedule.poll(now);
    const nextDue = now + schedule.untilNext(now);
    let sent = false;
    for (let c = 0; c < connections && schedule.queued > 0; c++) {
      if (freeAt[c] > now) continue;
      const { index, intended } = schedule.take();
      const done = now + serviceMs(index);
      freeAt[c] = done;
      out.push({
        index,
        intended,
        sent: now,
        done,
        corrected: correctedLatency(intended, done),
        fromSend: done - now,
      });
      sent = true;
    }
    if (sent) continue;
    const nextFree =
      schedule.queued > 0 ? Math.min(...freeAt.filter((t) => t > now)) : Number.POSITIVE_INFINITY;
    now = Math.min(nextDue, nextFree);
  }
  return out.sort((a, b) => a.index - b.index);
}
