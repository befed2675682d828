import { describe, expect, it } from 'vitest';
import { loadShippedTemplates } from '../shipped-templates.js';
import { parseBuiltinQuery } from './builtin-query.js';

const ok = (text: string) => {
  const r = parseBuiltinQuery(text);
  if (!r.ok) throw new Error(r.error);
  return r.query;
};
const err = (text: string) => {
  const r = parseBuiltinQuery(text);
  return r.ok ? 'parsed' : r.error.replace(/ in '.*'$/s, '');
};

describe('parseBuiltinQuery', () => {
  it('parses the grammar', () => {
    expect(ok('requests[5m]')).toEqual({ metric: 'requests', match: {}, rangeMs: 300_000, by: [] });
    expect(ok('success_ratio{service="wallet",endpoint="/deposit",version="v2"}[5m] by (psp)')).toEqual({
      metric: 'success_ratio',
      match: { service: 'wallet', endpoint: '/deposit', version: 'v2' },
      rangeMs: 300_000,
      by: ['psp'],
    });
    expect(ok(' failures { service = "a" , } [ 95s ] by ( psp , version ) ')).toMatchObject({
      match: { service: 'a' },
      rangeMs: 95_000,
      by: ['psp', 'version'],
    });
    expect(ok("latency_p95{endpoint='/x'}[1m30s]")).toMatchObject({ rangeMs: 90_000 });
    expect(ok('latency_p99{}[250ms]')).toMatchObject({ rangeMs: 250 });
    expect(ok('latency_bucket{version="v2"}[2h]')).toMatchObject({ rangeMs: 7_200_000 });
    expect(ok('requests{endpoint="a\\"b"}[1s]').match).toEqual({ endpoint: 'a"b' });
    expect(ok('ws_connections{service="lobby"}')).toEqual({
      metric: 'ws_connections',
      match: { service: 'lobby' },
      by: [],
    });
    expect(ok('ws_rtt_p95{version="v2"}[5m] by (service)').by).toEqual(['service']);
  });

  it('names the position of an error', () => {
    expect(err('')).toBe('builtin query: expected a metric name at column 1');
    expect(err('errors[5m]')).toMatch(
      /^builtin query: unknown metric 'errors' \(known: requests, .*\) at column 1$/,
    );
    expect(err('requests')).toBe("builtin query: expected '[<range>]' after requests at column 9");
    expect(err('requests{service="a"[5m]')).toBe("builtin query: expected ',' or '}' at column 21");
    expect(err('requests{service=a}[5m]')).toBe('builtin query: expected a quoted value at column 18');
    expect(err('requests{service="a}[5m]')).toBe('builtin query: unterminated string at column 18');
    expect(err('requests{region="eu"}[5m]')).toMatch(
      /^builtin query: label 'region' is not available for requests .* at column 10$/,
    );
    expect(err('requests{psp="a",psp="b"}[5m]')).toBe("builtin query: label 'psp' given twice at column 18");
    expect(err('requests[5]')).toBe('builtin query: expected a duration unit (ms, s, m, h, d) at column 11');
    expect(err('requests[]')).toBe('builtin query: expected a duration such as 5m or 95s at column 10');
    expect(err('requests[0s]')).toBe('builtin query: the range must be longer than 0 at column 10');
    expect(err('requests[5m')).toBe("builtin query: expected ']', found the end at column 12");
    expect(err('requests[5m] by psp')).toBe("builtin query: expected '(', found 'p' at column 17");
    expect(err('requests[5m] by (psp')).toBe("builtin query: expected ')', found the end at column 21");
    expect(err('requests[5m] by (le)')).toMatch(/label 'le' is not available .* at column 18$/);
    expect(err('requests[5m] extra')).toBe("builtin query: unexpected 'e' at column 14");
    expect(err('ws_rtt_p95{psp="A"}[5m]')).toMatch(
      /label 'psp' is not available for ws_rtt_p95 \(available: service, version\)/,
    );
  });

  it('refuses a placeholder that was not substituted', () => {
    expect(err('requests{version="{{version}}"}[{{window}}]')).toBe(
      'builtin query: unsubstituted placeholder {{version}} at column 19',
    );
  });
});

describe('shipped templates', () => {
  // Placeholders filled as the resolution and the measurement would: args and the arm's version, then the window.
  const fill = (q: string) =>
    q.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_all, name: string) => (name === 'window' ? '95s' : 'x'));
  const queries = loadShippedTemplates().flatMap((t) =>
    t.metrics
      .filter((m) => m.provider.kind === 'builtin')
      .flatMap((m) => {
        const c = m.comparison;
        const qs =
          c === undefined ? [m.query ?? ''] : c.test === 'proportions' ? [c.failures, c.total] : [c.buckets];
        return qs.map((q) => [`${t.name}/${m.name}`, q] as const);
      }),
  );

  it('has builtin queries', () => {
    expect(queries.length).toBeGreaterThan(0);
  });

  it.each(queries)('%s parses: %s', (_name, query) => {
    expect(parseBuiltinQuery(fill(query))).toMatchObject({ ok: true });
  });
});
