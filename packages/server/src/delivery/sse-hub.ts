import type { ServerResponse } from 'node:http';
import type { ChangeBus } from './change-bus.js';
import type { SnapshotService } from './snapshot-service.js';

/** A stream whose unsent output passes this many bytes is too slow: it is cut off and told to resync. */
const MAX_BUFFERED_BYTES = 1 << 20;
const HEARTBEAT_MS = 15_000;

interface Stream {
  readonly res: ServerResponse;
  readonly environment: string;
  lastVersion: number;
}

/**
 * Server-Sent Events to SDKs (https://html.spec.whatwg.org/multipage/server-sent-events.html). Each stream gets
 * an initial `snapshot`, then a `change` event with the new snapshot whenever its environment changes; the event
 * id is the configuration version, so a client reconnecting with `Last-Event-ID` gets a snapshot only if it
 * missed something. The bytes of an event are built once and written to every stream of the environment.
 */
export class SseHub {
  private readonly streams = new Set<Stream>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(
    bus: ChangeBus,
    private readonly snapshots: SnapshotService,
  ) {
    this.unsubscribe = bus.subscribe((change) => {
      const envs = change.environments === 'all' ? this.environments() : change.environments;
      for (const env of envs) void this.broadcast(env);
    });
    this.heartbeat = setInterval(() => this.writeAll(': heartbeat\n\n'), HEARTBEAT_MS).unref();
  }

  get size(): number {
    return this.streams.size;
  }

  /** Takes over `res` as an event stream; `lastEventId` is the version the client already has. */
  async open(res: ServerResponse, environment: string, lastEventId: number | undefined): Promise<void> {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const stream: Stream = { res, environment, lastVersion: lastEventId ?? -1 };
    this.streams.add(stream);
    res.on('close', () => this.streams.delete(stream));
    const snapshot = await this.snapshots.get(environment);
    if (snapshot.version !== stream.lastVersion)
      this.send(stream, frame('snapshot', snapshot.version, snapshot.json), snapshot.version);
    else res.write(': up to date\n\n');
  }

  /** Ends every stream (graceful shutdown): clients reconnect, to this server when it is back or to another. */
  close(): void {
    clearInterval(this.heartbeat);
    this.unsubscribe();
    for (const s of this.streams) s.res.end();
    this.streams.clear();
  }

  private async broadcast(environment: string): Promise<void> {
    const snapshot = await this.snapshots.get(environment);
    const bytes = frame('change', snapshot.version, snapshot.json);
    for (const s of this.streams) {
      if (s.environment === environment && s.lastVersion < snapshot.version)
        this.send(s, bytes, snapshot.version);
    }
  }

  private send(stream: Stream, bytes: string, version: number): void {
    if (stream.res.writableLength > MAX_BUFFERED_BYTES) {
      // The client reads slower than changes arrive: drop it rather than buffer without bound.
      stream.res.end('event: resync\ndata: {}\n\n');
      this.streams.delete(stream);
      return;
    }
    stream.res.write(bytes);
    stream.lastVersion = version;
  }

  private writeAll(bytes: string): void {
    for (const s of this.streams) s.res.write(bytes);
  }

  private environments(): string[] {
    return [...new Set([...this.streams].map((s) => s.environment))];
  }
}

function frame(event: string, id: number, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}
