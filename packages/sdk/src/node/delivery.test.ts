import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, type PitbossClient } from './index.js';

/**
 * vi.waitFor with a bound that only fails when something never arrives: reconnects are jittered (up to 1 s after
 * a `shutdown`), and CI machines are shared, so the default 1 s bound made these tests flaky.
 */
const waitFor = <T>(fn: () => T | Promise<T>, options: { timeout?: number; interval?: number } = {}) =>
  vi.waitFor(fn, { timeout: 10_000, interval: 20, ...options });

const config = (killSwitch: boolean, rule = "market in ['DE','SE']") => ({
  schemaVersion: 1,
  environments: ['prod'],
  flags: [{ feature: 'payments_v2', rules: [{ if: rule, rollout: 1 }], kill_switch: killSwitch }],
});
const snapshot = (version: number, killSwitch = false) =>
  JSON.stringify({ version, environment: 'prod', config: config(killSwitch) });
const DE = { user: { id: 'p-1' }, market: 'DE' };

/** A small real control plane: snapshot with ETag/304, an SSE stream the test drives, request log. */
class FakeControlPlane {
  current = snapshot(1);
  version = 1;
  streamStatus = 200;
  snapshotBody: string | undefined;
  readonly requests: { path: string; headers: IncomingMessage['headers'] }[] = [];
  readonly streams = new Set<ServerResponse>();
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  publish(version: number, body = snapshot(version, true)): void {
    this.version = version;
    this.current = body;
    this.write(`event: change\nid: ${version}\ndata: ${body}\n\n`);
  }

  write(raw: string): void {
    for (const s of this.streams) s.write(raw);
  }

  end(event?: 'resync' | 'shutdown'): void {
    for (const s of this.streams) s.end(event ? `event: ${event}\ndata: {"reason":"${event}"}\n\n` : '');
    this.streams.clear();
  }

  paths(prefix: string) {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  async close(): Promise<void> {
    this.end();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ path: req.url ?? '', headers: req.headers });
    if (req.headers.authorization !== 'Bearer pb_sdk_test') return void res.writeHead(401).end('{}');
    if (req.url?.startsWith('/sdk/v1/snapshot')) {
      if (req.headers['if-none-match'] === `"${this.version}"`) return void res.writeHead(304).end();
      res.writeHead(200, { 'content-type': 'application/json', etag: `"${this.version}"` });
      return void res.end(this.snapshotBody ?? this.current);
    }
    if (this.streamStatus !== 200) return void res.writeHead(this.streamStatus).end('{}');
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    this.streams.add(res);
    if (req.headers['last-event-id'] === String(this.version)) res.write(': up to date\n\n');
    else res.write(`event: snapshot\nid: ${this.version}\ndata: ${this.current}\n\n`);
  }
}

let plane: FakeControlPlane;
let client: PitbossClient;
afterEach(async () => {
  await client?.close();
  await plane?.close();
});

const connect = (extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  createClient({
    url: plane.url,
    sdkKey: 'pb_sdk_test',
    environment: 'prod',
    reconnect: { initialMs: 5, maxMs: 20 },
    ...extra,
  });
const events = (c: PitbossClient, name: 'change' | 'error' | 'stale' | 'ready') => {
  const seen: unknown[] = [];
  c.on(name, (p) => seen.push(p));
  return seen;
};

describe('Node client delivery (fake control plane)', () => {
  it('gets the snapshot, follows changes on the stream, resumes with Last-Event-ID', async () => {
    plane = await new FakeControlPlane().start();
    client = connect();
    const changes = events(client, 'change');
    expect(await client.ready({ timeoutMs: 5000 })).toBe(true);
    expect(client.isEnabled('payments_v2', DE)).toBe(true);
    await waitFor(() => expect(plane.streams.size).toBe(1));
    expect(plane.paths('/sdk/v1/stream')[0]!.headers['last-event-id']).toBe('1');

    plane.publish(5);
    await waitFor(() => expect(changes).toEqual([{ version: 5 }]));
    expect(client.isEnabled('payments_v2', DE)).toBe(false);

    plane.end('shutdown');
    await waitFor(() => expect(plane.paths('/sdk/v1/stream')).toHaveLength(2));
    expect(plane.paths('/sdk/v1/stream')[1]!.headers['last-event-id']).toBe('5');
    plane.end('resync');
    await waitFor(() => expect(plane.paths('/sdk/v1/stream')).toHaveLength(3));
    expect(client.status).toBe('READY');
  });

  it('keeps the good config on a malformed, breaking, or older snapshot, and emits error', async () => {
    plane = await new FakeControlPlane().start();
    client = connect();
    const errors = events(client, 'error');
    await client.ready({ timeoutMs: 5000 });
    await waitFor(() => expect(plane.streams.size).toBe(1));
    plane.write('event: change\nid: 2\ndata: {"version": 2, "config": \n\n');
    plane.publish(
      3,
      JSON.stringify({ version: 3, environment: 'prod', config: config(true, "market in ['DE'") }),
    );
    plane.publish(4, JSON.stringify({ version: 4, environment: 'prod', config: { flags: 'nope' } }));
    plane.publish(0, snapshot(0, true));
    await waitFor(() => expect(errors).toHaveLength(4));
    expect(errors.map(String)).toEqual([
      expect.stringContaining('malformed JSON'),
      expect.stringContaining("breaks flag 'payments_v2'"),
      expect.stringContaining('invalid config'),
      expect.stringContaining('version 0 is older than 1'),
    ]);
    expect(client.version).toBe(1);
    expect(client.isEnabled('payments_v2', DE)).toBe(true);
    plane.publish(6);
    await waitFor(() => expect(client.version).toBe(6));
  });

  it('falls back to polling with If-None-Match when the stream keeps failing, then streams again', async () => {
    plane = await new FakeControlPlane().start();
    plane.streamStatus = 502;
    client = connect({ pollIntervalMs: 20, streamFailuresBeforePolling: 2, streamRetryMs: 200 });
    await client.ready({ timeoutMs: 5000 });
    await waitFor(() => expect(plane.paths('/sdk/v1/snapshot').length).toBeGreaterThanOrEqual(3));
    expect(plane.paths('/sdk/v1/snapshot').at(-1)!.headers['if-none-match']).toBe('"1"');
    plane.version = 8;
    plane.current = snapshot(8, true);
    await waitFor(() => expect(client.version).toBe(8));
    plane.streamStatus = 200;
    await waitFor(() => expect(plane.streams.size).toBe(1));
    plane.publish(9, snapshot(9, false));
    await waitFor(() => expect(client.version).toBe(9));
  });

  it('stops on 401 with status ERROR', async () => {
    plane = await new FakeControlPlane().start();
    client = createClient({ url: plane.url, sdkKey: 'pb_sdk_revoked', environment: 'prod' });
    expect(await client.ready({ timeoutMs: 5000 })).toBe(false);
    expect(client.status).toBe('ERROR');
    expect(plane.requests).toHaveLength(1);
  });

  it('goes STALE when the control plane falls silent, and dead streams reconnect', async () => {
    plane = await new FakeControlPlane().start();
    client = connect({ staleAfterMs: 100, streamIdleTimeoutMs: 150 });
    const stale = events(client, 'stale');
    await client.ready({ timeoutMs: 5000 });
    await waitFor(() => expect(stale).toHaveLength(1));
    expect(client.status).toBe('STALE');
    await waitFor(() => expect(plane.paths('/sdk/v1/stream').length).toBeGreaterThanOrEqual(2));
    plane.write(': heartbeat\n\n');
    await waitFor(() => expect(client.status).toBe('READY'));
  });

  it('writes the last good snapshot to the cache file atomically; a new client starts from it offline', async () => {
    plane = await new FakeControlPlane().start();
    const dir = mkdtempSync(join(tmpdir(), 'pitboss-cache-'));
    const cacheFile = join(dir, 'prod.json');
    client = connect({ cacheFile });
    await client.ready({ timeoutMs: 5000 });
    await waitFor(() => expect(plane.streams.size).toBe(1));
    plane.publish(4);
    await waitFor(() => expect(JSON.parse(readFileSync(cacheFile, 'utf8')).version).toBe(4));
    expect(readdirSync(dir)).toEqual(['prod.json']);
    const cold = createClient({ environment: 'prod', offline: true, cacheFile });
    expect(cold.version).toBe(4);
    expect(cold.isEnabled('payments_v2', DE)).toBe(false);
    expect(existsSync(cacheFile)).toBe(true);
  });
});
