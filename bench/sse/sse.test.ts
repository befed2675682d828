// Smoke test of the SSE fan-out benchmark: 50 streams, the two floor servers, two changes each. Checks only
// that every stream opened and received every change with one, increasing version per change; timings on a
// shared 2-core machine mean nothing here, so nothing about latency is asserted.
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench } from './harness.js';
import { SseResponseParser } from './sse-parse.js';

const N = 50;
const REPEATS = 2;
const WARMUP = 1;

type Change = {
  received: number;
  triggerStatus: number;
  versions: { version: number | null; count: number }[];
};
type Run = {
  target: string;
  n: number;
  status: string;
  error?: string;
  connected?: number;
  received?: number;
  expected?: number;
  latency?: { count: number; p99: number };
  rounds?: { changes?: Change[] }[];
};

describe('SSE benchmark (quick mode)', () => {
  let runs: Run[] = [];

  beforeAll(async () => {
    const result = await runBench({
      sizes: [N],
      rounds: 1,
      repeats: REPEATS,
      warmup: WARMUP,
      only: ['floor-net', 'floor-http'],
      pauseMs: 20,
      deliveryTimeoutMs: 10_000,
    });
    runs = result.runs as Run[];
  }, 120_000);

  for (const target of ['floor-net', 'floor-http']) {
    it(`${target}: every stream receives every change`, () => {
      const r = runs.find((x) => x.target === target);
      expect(r, `no result for ${target}`).toBeDefined();
      expect(r?.error).toBeUndefined();
      expect(r?.status).toBe('ok');
      expect(r?.connected).toBe(N);
      const changes = r?.rounds?.[0]?.changes;
      expect(changes).toHaveLength(WARMUP + REPEATS);
      expect(r?.received).toBe(N * (WARMUP + REPEATS));
      expect(r?.expected).toBe(N * (WARMUP + REPEATS));
      expect(r?.latency?.count).toBe(N * REPEATS);
      changes?.forEach((c, i) => {
        expect(c.received).toBe(N);
        expect(c.triggerStatus).toBe(204);
        expect(c.versions).toEqual([{ version: i + 1, count: N }]);
      });
    });
  }
});

describe('SseResponseParser', () => {
  function parse(chunks: string[]) {
    const events: [string, string, number][] = [];
    const heads: unknown[] = [];
    const parser = new SseResponseParser(
      (head: unknown) => heads.push(head),
      (type: string, data: string, at: number) => events.push([type, data, at]),
    );
    chunks.forEach((chunk, i) => {
      parser.push(chunk, i);
    });
    return { heads, events };
  }

  it('reads chunked bodies split anywhere, and times an event by its first byte', () => {
    const body =
      ': hi\n\nevent: snapshot\ndata: {"version":0}\n\nid: 7\r\nevent: change\r\ndata: {"version":7}\r\n\r\n';
    const framed = `HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n`;
    const at = framed.indexOf('id: 7');
    const { heads, events } = parse([framed.slice(0, 7), framed.slice(7, at + 1), framed.slice(at + 1)]);
    expect(heads).toEqual([{ status: 200, contentType: 'text/event-stream', chunked: true }]);
    expect(events).toEqual([
      ['snapshot', '{"version":0}', 1],
      ['change', '{"version":7}', 1],
    ]);
  });

  it('reads unframed bodies, one byte at a time', () => {
    const text =
      'HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\nevent: change\ndata: a\ndata: b\n\n';
    const { events } = parse([...text]);
    expect(events).toEqual([['change', 'a\nb', text.indexOf('event:')]]);
  });
});
