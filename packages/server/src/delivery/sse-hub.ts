import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ChangeBus } from './change-bus.js';
import {
  type DeliveryOptions,
  type ResolvedDeliveryOptions,
  resolveDeliveryOptions,
} from './delivery-options.js';
import type { Snapshot, SnapshotService } from './snapshot-service.js';

interface Stream {
  readonly socket: Socket;
  readonly environment: string;
  /** The version of the last snapshot or change written: a change is written only to streams behind it. */
  lastVersion: number;
  /** Events carry `{version, environment}` only: for client-side keys, which must never see rules. */
  readonly versionsOnly: boolean;
}

/** Why a stream was ended by the server; the `data` of the last event tells the SDK what to do. */
const RESYNC_SLOW = 'event: resync\ndata: {"reason":"slow_consumer"}\n\n';
const RESYNC_ERROR = 'event: resync\ndata: {"reason":"unavailable"}\n\n';
const SHUTDOWN = 'event: shutdown\ndata: {"reason":"shutdown"}\n\n';
// WHATWG HTML §9.2.7 (Authoring notes): a comment line every 15 seconds or so keeps proxies that drop idle
// connections from closing the stream; EventSource ignores lines starting with ':'.
const HEARTBEAT = ': heartbeat\n\n';
/**
 * The response head, written by the hub itself on the raw socket. The body is delimited by the connection's close
 * (RFC 9112 §6.3, rule 8), so there is no chunked framing, and each event leaves in one `socket.write` at once:
 * node:http would add a chunk header per write and hold the bytes until the next tick, which at 10,000 streams
 * doubles the time from a change to the last client (bench/sse: node:http ≈ 1.5–2× a bare node:net server).
 */
const HEAD = [
  'HTTP/1.1 200 OK',
  'content-type: text/event-stream; charset=utf-8',
  'cache-control: no-cache, no-transform',
  'x-accel-buffering: no',
  'connection: close',
  '',
  '',
].join('\r\n');

/**
 * Server-Sent Events to SDKs (https://html.spec.whatwg.org/multipage/server-sent-events.html). Each stream gets
 * an initial `snapshot`, then a `change` event with the new snapshot whenever its environment changes; the event
 * id is the configuration version, so a client reconnecting with `Last-Event-ID` gets a snapshot only if it
 * missed something. The bytes of an event are built once and written to every stream of the environment.
 *
 * Delivery is idempotent by version: a stream is written a change only if it is behind it, so the same change
 * arriving twice (the PostgreSQL bus echoes a replica's own NOTIFY) or out of order writes nothing.
 */
export class SseHub {
  private readonly streams = new Set<Stream>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private readonly options: ResolvedDeliveryOptions;
  private closed = false;

  constructor(
    bus: ChangeBus,
    private readonly snapshots: SnapshotService,
    options: DeliveryOptions = {},
  ) {
    this.options = resolveDeliveryOptions(options);
    this.unsubscribe = bus.subscribe((change) => {
      const envs = change.environments === 'all' ? this.environments() : change.environments;
      for (const env of envs) void this.broadcast(env);
    });
    this.heartbeat = setInterval(() => {
      for (const s of this.streams) this.send(s, HEARTBEAT);
    }, this.options.heartbeatMs).unref();
  }

  /** Connected streams. */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Takes over `res` as an event stream; `lastEventId` is the version the client already has. The caller has
   * checked access and that the environment exists: nothing here answers with an HTTP error.
   */
  async open(
    res: ServerResponse,
    environment: string,
    lastEventId: number | undefined,
    versionsOnly = false,
    extraHeaderLines = '',
  ): Promise<void> {
    const socket = res.socket;
    if (socket === null || socket.destroyed) return;
    socket.setNoDelay(true);
    socket.write(extraHeaderLines === '' ? HEAD : HEAD.replace('\r\n\r\n', `\r\n${extraHeaderLines}\r\n`));
    if (this.closed) return this.finish({ socket, environment, lastVersion: -1, versionsOnly }, SHUTDOWN);
    const initial = lastEventId ?? -1;
    const stream: Stream = { socket, environment, lastVersion: initial, versionsOnly };
    this.streams.add(stream);
    socket.on('close', () => this.streams.delete(stream));
    let snapshot: Snapshot;
    try {
      snapshot = await this.snapshots.get(environment, initial);
    } catch {
      return this.finish(stream, RESYNC_ERROR);
    }
    // Gone meanwhile, or a change event (which carries the whole snapshot too) already brought it up to date.
    if (!this.streams.has(stream) || stream.lastVersion !== initial) return;
    // Resuming, a full snapshot is the unit rather than the missed changes: a change is a new state of the whole
    // environment (a segment edit alters many flags at once), versions are global and sparse per environment, and
    // replicas keep no history of events to replay — whereas one snapshot is idempotent, is already built and
    // serialised for every other client, and is small (one environment). So a client that is behind, or whose id
    // this database never issued (it is ahead even of a fresh read), gets the snapshot; one up to date, nothing.
    if (snapshot.version === lastEventId) socket.write(': up to date\n\n');
    else this.send(stream, frame('snapshot', snapshot.version, dataFor(stream, snapshot)), snapshot.version);
  }

  /**
   * Graceful shutdown: ends every stream with `event: shutdown`, so SDKs reconnect at once — through the load
   * balancer, to another replica — instead of waiting for a heartbeat to go missing. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const s of [...this.streams]) this.finish(s, SHUTDOWN);
  }

  private async broadcast(environment: string): Promise<void> {
    if (!this.hasStreams(environment)) return;
    let snapshot: Snapshot;
    try {
      snapshot = await this.snapshots.get(environment);
    } catch {
      // The change cannot be read now (database unavailable): rather than leave streams silently stale, end them;
      // SDKs reconnect with back-off and resume from their last version once the database answers.
      for (const s of [...this.streams]) if (s.environment === environment) this.finish(s, RESYNC_ERROR);
      return;
    }
    // Encoded once per kind of stream: a string would be UTF-8 encoded again for every socket it is written to.
    const encoded = new Map<boolean, Buffer>();
    for (const s of [...this.streams]) {
      if (s.environment !== environment || s.lastVersion >= snapshot.version) continue;
      let bytes = encoded.get(s.versionsOnly);
      if (bytes === undefined) {
        bytes = Buffer.from(frame('change', snapshot.version, dataFor(s, snapshot)));
        encoded.set(s.versionsOnly, bytes);
      }
      this.send(s, bytes, snapshot.version);
    }
  }

  /** Writes `bytes`, unless the stream's unsent output already passes the bound: then it is cut off. */
  private send(stream: Stream, bytes: string | Buffer, version?: number): void {
    if (stream.socket.writableLength > this.options.maxBufferedBytes) {
      // The client reads slower than changes arrive: drop it rather than buffer without bound. `resync` tells it
      // to reconnect, and its Last-Event-ID gets it the current snapshot — which supersedes everything it missed.
      this.finish(stream, RESYNC_SLOW);
      return;
    }
    stream.socket.write(bytes);
    if (version !== undefined) stream.lastVersion = version;
  }

  /** Ends a stream with a last event; a client that does not read it within the grace period is disconnected. */
  private finish(stream: Stream, last: string): void {
    this.streams.delete(stream);
    const { socket } = stream;
    if (socket.destroyed || socket.writableEnded) return;
    socket.end(last);
    const timer = setTimeout(() => socket.destroy(), this.options.drainGraceMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  }

  private hasStreams(environment: string): boolean {
    for (const s of this.streams) if (s.environment === environment) return true;
    return false;
  }

  private environments(): string[] {
    return [...new Set([...this.streams].map((s) => s.environment))];
  }
}

/**
 * One event (WHATWG HTML §9.2.6): `id` sets the client's last event ID, `event` its type. The data is JSON on
 * one line — `JSON.stringify` escapes every line break — so one `data:` field carries it whole.
 */
function frame(event: string, id: number, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}

/** What a stream's events carry: the whole snapshot, or for client-side keys only where it stands. */
function dataFor(stream: Stream, snapshot: Snapshot): string {
  return stream.versionsOnly
    ? JSON.stringify({ version: snapshot.version, environment: snapshot.environment })
    : snapshot.json;
}
