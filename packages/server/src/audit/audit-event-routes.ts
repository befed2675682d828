import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { EventStreams } from '../api/event-streams.js';
import type { ChangeBus } from '../delivery/change-bus.js';
import { PitbossError } from '../errors.js';
import type { Database } from '../storage/database.js';
import { fromRow } from './audit-log.js';
import { auditRows, lastSeq } from './audit-reader.js';

export interface AuditEventOptions {
  /**
   * How often a stream re-reads the log when the bus said nothing: the fallback for writers the bus does not
   * reach (another replica on SQLite-like setups, a lost LISTEN connection). Default 2 s.
   */
  readonly pollMs?: number;
  /** Time between heartbeat comments. Default 15 s. */
  readonly heartbeatMs?: number;
}

/** The last seq a client has, from `Last-Event-ID` (a reconnecting EventSource) or else `?after=`. */
function startAfter(header: unknown, after: number | undefined): number | undefined {
  if (typeof header === 'string' && header.trim() !== '') {
    const text = header.trim();
    if (!/^\d{1,15}$/.test(text)) {
      throw new PitbossError('VALIDATION_FAILED', `last-event-id must be an audit seq, got '${text}'`, [
        { path: ['headers', 'last-event-id'], message: 'must be an integer ≥ 0' },
      ]);
    }
    return Number(text);
  }
  return after;
}

/**
 * `GET /api/v1/events`: the audit log as Server-Sent Events, the console's one live feed. Each entry is sent once,
 * in seq order, as `event: audit`, `id: <seq>`, `data: <entry as GET /api/v1/audit returns it>`.
 *
 * A stream wakes on the change bus (every committed mutation is announced on it, mutation.ts) and reads the rows
 * after the last one it sent: entries are numbered under the write lock and committed in that order, so reading
 * `seq > last` never skips one that commits later, and nothing is sent twice. A slow poll catches writers the bus
 * does not reach.
 */
export function registerAuditEventRoutes(
  app: FastifyInstance,
  database: Database,
  bus: ChangeBus,
  options: AuditEventOptions = {},
): void {
  const { db } = database;
  const streams = new EventStreams(app, options.heartbeatMs);

  app.get('/api/v1/events', {
    config: { auth: { role: 'viewer' } },
    schema: {
      tags: ['audit'],
      summary:
        'Server-Sent Events: each audit entry as it is appended (event `audit`, id = seq); resumes after ' +
        'Last-Event-ID or ?after=, else starts at the end with event `ready` {seq}',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          after: { type: 'integer', minimum: 0, description: 'send entries with seq greater than this' },
        },
      },
    },
    handler: async (request, reply) => {
      const { after } = request.query as { after?: number };
      const resumeAfter = startAfter(request.headers['last-event-id'], after);
      const start = resumeAfter ?? (await lastSeq(db));
      let unsubscribe: (() => void) | undefined;
      let poll: NodeJS.Timeout | undefined;
      let follower: AuditFollower | undefined;
      const res = streams.start(reply, () => {
        if (follower) follower.closed = true;
        unsubscribe?.();
        clearInterval(poll);
      });
      // The id makes a reconnect before the first entry resume from here rather than from a later end.
      if (resumeAfter === undefined) res.write(`event: ready\nid: ${start}\ndata: {"seq":${start}}\n\n`);
      const feed = new AuditFollower(db, res, start);
      follower = feed;
      void feed.pump();
      unsubscribe = bus.subscribe((change) => {
        if (change.version > feed.last) void feed.pump();
      });
      poll = setInterval(() => void feed.pump(), options.pollMs ?? 2000);
    },
  });
}

/** Sends one stream the entries after `last`, one read at a time; a wake-up during a read reads again after it. */
class AuditFollower {
  closed = false;
  private reading: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly db: Database['db'],
    private readonly res: ServerResponse,
    public last: number,
  ) {}

  async pump(): Promise<void> {
    if (this.reading !== undefined) {
      this.again = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.readOnce();
      } while (this.again && !this.closed);
    })();
    try {
      await this.reading;
    } finally {
      this.reading = undefined;
    }
  }

  private async readOnce(): Promise<void> {
    try {
      for await (const row of auditRows(this.db, { after: this.last })) {
        // Ended (app closing) but not yet closed: a write now would be an error event.
        if (this.closed || this.res.writableEnded) return;
        const entry = fromRow(row);
        const ok = this.res.write(`event: audit\nid: ${entry.seq}\ndata: ${JSON.stringify(entry)}\n\n`);
        this.last = entry.seq;
        // A client far behind (resuming from 0) reads the log at its own pace: memory stays one page.
        if (!ok) await drained(this.res);
      }
    } catch {
      // The database is unavailable: end the stream; the EventSource reconnects with its Last-Event-ID.
      this.closed = true;
      this.res.end();
    }
  }
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
