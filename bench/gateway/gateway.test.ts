// Gateway benchmark, quick mode: the coordinated-omission arithmetic of the open-loop generator, the split
// check, the load generator's response reader, and a tiny real run (upstreams, bare Node proxy, Pitboss
// gateway; nginx skipped) that checks splits and request counts. Nothing about timing is asserted: this is a
// shared 2-core machine.
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { Connection } from './connection.js';
import { runBench } from './harness.js';
import { chunkedBodyEnd, ResponseReader } from './http-response.js';
import { correctedLatency, dueCount, intendedAt, OpenLoopSchedule, simulateOpenLoop } from './open-loop.js';
import { bareProxyPicksCanary, CANARY_VERSION, checkSplit, playerId, STABLE_VERSION } from './split.js';

describe('open-loop schedule (coordinated omission)', () => {
  it('places request i at start + i / rate', () => {
    expect(intendedAt(1000, 0, 2000)).toBe(1000);
    expect(intendedAt(1000, 1, 2000)).toBe(1000.5);
    expect(intendedAt(1000, 4000, 2000)).toBe(3000);
  });

  it('counts the requests due by now, the one due exactly now included, capped at the total', () => {
    expect(dueCount(100, 99.9, 1000, 50)).toBe(0);
    expect(dueCount(100, 100, 1000, 50)).toBe(1);
    expect(dueCount(100, 100.999, 1000, 50)).toBe(1);
    expect(dueCount(100, 101, 1000, 50)).toBe(2);
    expect(dueCount(0, 0.3, 2000 / 3, 50)).toBe(1);
    expect(dueCount(0, 3, 2000 / 3, 50)).toBe(3); // 2,000/3 req/s: due at 0, 1.5, 3 ms
    expect(dueCount(100, 1e6, 1000, 50)).toBe(50);
  });

  it('measures from the intended send time, not the actual one', () => {
    expect(correctedLatency(10, 12.5)).toBe(2.5);
  });

  it('queues due requests in schedule order and hands them out oldest first', () => {
    const s = new OpenLoopSchedule({ rate: 1000, total: 5, startMs: 0 });
    expect(s.poll(2.5)).toBe(3);
    expect(s.queued).toBe(3);
    expect(s.take()).toEqual({ index: 0, intended: 0, polled: 2.5 });
    expect(s.poll(2.9)).toBe(0);
    expect(s.untilNext(2.9)).toBeCloseTo(0.1, 9);
    expect(s.poll(10)).toBe(2);
    expect([s.take(), s.take(), s.take(), s.take()].map((x) => x?.index)).toEqual([1, 2, 3, 4]);
    expect(s.take()).toBeUndefined();
    expect(s.exhausted).toBe(true);
    expect(s.untilNext(10)).toBe(Number.POSITIVE_INFINITY);
  });

  // The classic example: one connection, 1,000 req/s, 0.1 ms per request, but the first one stalls 100 ms.
  // Timed from the actual send, every later request looks like 0.1 ms; from the schedule, the ~110 requests
  // that queued behind the stall carry it, decreasing by 0.9 ms each as the backlog drains at 10× the rate.
  it('charges a stall to every request scheduled during it', () => {
    const runs = simulateOpenLoop({
      rate: 1000,
      total: 300,
      connections: 1,
      serviceMs: (i) => (i === 0 ? 100 : 0.1),
    });
    expect(runs[0]).toMatchObject({ sent: 0, done: 100, corrected: 100, fromSend: 100 });
    expect(runs[1].corrected).toBeCloseTo(99.1, 6);
    expect(runs[1].fromSend).toBeCloseTo(0.1, 6);
    expect(runs[50].corrected).toBeCloseTo(55, 6);
    expect(runs[110].corrected).toBeCloseTo(1, 6);
    expect(runs[111].sent).toBeCloseTo(111, 6); // caught up: back on schedule
    expect(runs[111].corrected).toBeCloseTo(0.1, 6);
    const stalled = runs.filter((r) => r.corrected > 0.5).length;
    const stalledFromSend = runs.filter((r) => r.fromSend > 0.5).length;
    expect(stalled).toBe(111);
    expect(stalledFromSend).toBe(1);
  });

  it('spreads queued requests over free connections', () => {
    const runs = simulateOpenLoop({
      rate: 1000,
      total: 20,
      connections: 2,
      serviceMs: (i) => (i === 0 ? 5.5 : 1.5),
    });
    // Connection A stalls on request 0; B serves 1, 2, ... every 1.5 ms, one behind schedule and falling back.
    expect(runs[1]).toMatchObject({ sent: 1, done: 2.5 });
    expect(runs[2].sent).toBeCloseTo(2.5, 9);
    expect(runs[2].corrected).toBeCloseTo(2, 9);
    expect(runs[5].sent).toBeCloseTo(5.5, 9); // A is free again at 5.5
    expect(runs.every((r) => r.corrected >= r.fromSend)).toBe(true);
  });
});

describe('split check', () => {
  const statuses = (n: number) => ({ 200: n });

  it('passes a split within ±2 pp of the weight', () => {
    const r = checkSplit(
      {
        versions: { [STABLE_VERSION]: 8_150, [CANARY_VERSION]: 1_850 },
        statuses: statuses(10_000),
        errors: 0,
      },
      { requests: 10_000, weight: 20 },
    );
    expect(r).toEqual({ ok: true, canaryPercent: 18.5, problems: [] });
  });

  it('fails a split further than 2 pp away, either way', () => {
    for (const canary of [1_790, 2_210]) {
      const r = checkSplit(
        { versions: { v1: 10_000 - canary, v2: canary }, statuses: statuses(10_000), errors: 0 },
        { requests: 10_000, weight: 20 },
      );
      expect(r.ok).toBe(false);
      expect(r.problems[0]).toMatch(/canary share (17\.90|22\.10) % of 10000 responses, configured 20 %/);
    }
  });

  it('fails on transport errors, non-2xx answers and unknown versions', () => {
    const r = checkSplit(
      { versions: { v1: 7_990, v2: 2_000, '(none)': 5 }, statuses: { 200: 9_990, 502: 5 }, errors: 5 },
      { requests: 10_000, weight: 20 },
    );
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      '5/10000 requests failed (transport error)',
      '10/10000 not answered 2xx (5× 502)',
      "5 responses from version '(none)'",
    ]);
  });

  it('the bare proxy hash sends 20 % ± 2 pp of the split-check players to the canary', () => {
    let canary = 0;
    for (let i = 0; i < 10_000; i++) if (bareProxyPicksCanary(playerId('split', i), 20)) canary++;
    expect(Math.abs(canary / 100 - 20)).toBeLessThanOrEqual(2);
  });
});

describe('ResponseReader', () => {
  const read = (chunks: string[]) => {
    const seen: { status: number; version?: string; close: boolean; keepAliveS?: number }[] = [];
    const reader = new ResponseReader(({ keepAliveS, ...r }) =>
      seen.push(Number.isNaN(keepAliveS) ? r : { ...r, keepAliveS }),
    );
    for (const c of chunks) reader.push(Buffer.from(c, 'latin1'));
    return seen;
  };
  const fixed = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Version: v2\r\n\r\nhello';
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-version: v1\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n';

  it('reads a Content-Length body split anywhere', () => {
    for (let cut = 1; cut < fixed.length; cut++) {
      expect(read([fixed.slice(0, cut), fixed.slice(cut)])).toEqual([
        { status: 200, version: 'v2', close: false },
      ]);
    }
  });

  it('reads a chunked body split anywhere, and back-to-back responses in one chunk', () => {
    for (let cut = 1; cut < chunked.length; cut++) {
      expect(read([chunked.slice(0, cut), chunked.slice(cut)])).toEqual([
        { status: 200, version: 'v1', close: false },
      ]);
    }
    const both = read([
      chunked + fixed + 'HTTP/1.1 503 No\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(both.map((r) => [r.status, r.version, r.close])).toEqual([
      [200, 'v1', false],
      [200, 'v2', false],
      [503, undefined, true],
    ]);
  });

  it("passes on the server's keep-alive timeout hint", () => {
    const head = 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n';
    expect(read([head])).toEqual([{ status: 200, version: undefined, close: false, keepAliveS: 5 }]);
  });

  it('finds the end of a chunked body with trailers, or says it has not arrived', () => {
    expect(chunkedBodyEnd(Buffer.from('0\r\nx-t: 1\r\n\r\nNEXT'))).toBe(13);
    expect(chunkedBodyEnd(Buffer.from('5\r\nabc'))).toBe(-1);
    expect(() => chunkedBodyEnd(Buffer.from('zz\r\n'))).toThrow('bad chunk size');
  });

  it('rejects a body without framing', () => {
    expect(() => read(['HTTP/1.1 200 OK\r\nX-Version: v1\r\n\r\nabc'])).toThrow(/without Content-Length/);
  });
});

describe('Connection', () => {
  it("reopens, instead of using, a connection idle within 1 s of the server's keep-alive timeout", async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 3_000; // node:http answers `Keep-Alive: timeout=3`
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const events: string[] = [];
    let answered: () => void = () => {};
    let reopened: () => void = () => {};
    const conn = new Connection({
      host: '127.0.0.1',
      port,
      onResponse: (_c, ctx, r) => {
        events.push(`${ctx}:${r.status}`);
        answered();
      },
      onFailure: (_c, ctx, error) => events.push(`${ctx}:failed ${error}`),
      onReady: () => reopened(),
    });
    try {
      await conn.open();
      await new Promise<void>((resolve) => {
        answered = resolve;
        conn.send(Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`), 'first');
      });
      expect(events).toEqual(['first:200']);
      const at = conn.lastAnswer;
      expect(conn.usable(at + 1_900)).toBe(true);
      const back = new Promise<void>((resolve) => {
        reopened = resolve;
      });
      expect(conn.usable(at + 2_100)).toBe(false);
      expect(conn.recycled).toBe(1);
      await back;
      expect(conn.reconnects).toBe(1);
      expect(conn.usable(performance.now())).toBe(true);
    } finally {
      conn.close();
      server.closeAllConnections();
      server.close();
    }
  });
});

type Row = {
  target: string;
  status: string;
  error?: string;
  split?: { canaryPercent: number };
  canaryPercent?: number;
  rps?: number;
  failures?: number;
  rounds: { openRequests?: number; failures?: number; split?: { canaryPercent: number } }[];
};

describe('gateway benchmark (tiny real run, nginx skipped)', () => {
  let splitRuns: Row[] = [];
  let timedRuns: Row[] = [];

  beforeAll(async () => {
    const split = await runBench({ only: ['node-proxy', 'pitboss'], rounds: 1, timed: false });
    splitRuns = split.runs as Row[];
    const timed = await runBench({
      only: ['direct', 'node-proxy'],
      rounds: 1,
      durationMs: 1_000,
      warmupMs: 200,
      rate: 200,
      connections: 4,
      splitRequests: 2_000,
      players: 100,
    });
    timedRuns = timed.runs as Row[];
  }, 120_000);

  for (const target of ['node-proxy', 'pitboss']) {
    it(`${target} splits 10,000 players 20 % ± 2 pp to the canary`, () => {
      const r = splitRuns.find((x) => x.target === target);
      expect(r?.error).toBeUndefined();
      expect(r?.status).toBe('ok');
      expect(Math.abs((r?.split?.canaryPercent ?? -100) - 20)).toBeLessThanOrEqual(2);
    });
  }

  it('times direct and the bare proxy with every scheduled request answered', () => {
    for (const target of ['direct', 'node-proxy']) {
      const r = timedRuns.find((x) => x.target === target);
      expect(r?.error).toBeUndefined();
      expect(r?.status).toBe('ok');
      expect(r?.rps).toBeGreaterThan(0);
      expect(r?.rounds[0]?.openRequests).toBe(200); // 1 s at 200 req/s after the warm-up
      expect(r?.rounds[0]?.failures).toBe(0);
    }
  });
});
