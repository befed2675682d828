import { describe, expect, it } from 'vitest';
import { type SseMessage, SseParser } from './sse-parser.js';

function parse(chunks: string[]) {
  const events: SseMessage[] = [];
  const comments: string[] = [];
  const parser = new SseParser({ onEvent: (m) => events.push(m), onComment: (c) => comments.push(c) });
  for (const c of chunks) parser.push(c);
  return { events, comments, lastId: parser.lastId };
}

describe('SseParser (WHATWG HTML §9.2.6)', () => {
  it('dispatches on a blank line', () =>
    expect(parse(['event: change\nid: 4\ndata: {"a":1}\n\n']).events).toEqual([
      { event: 'change', id: '4', data: '{"a":1}' },
    ]));
  it('joins data lines', () => expect(parse(['data: a\ndata: b\n\n']).events[0]!.data).toBe('a\nb'));
  it('defaults the event to message', () => expect(parse(['data:x\n\n']).events[0]!.event).toBe('message'));
  it('accepts CRLF and CR', () => expect(parse(['data: a\r\n\r\ndata: b\r\r']).events).toHaveLength(2));
  it('handles CRLF split across chunks', () =>
    expect(parse(['data: a\r', '\n\r', '\n']).events).toEqual([
      { event: 'message', data: 'a', id: undefined },
    ]));
  it('handles a line split across chunks', () =>
    expect(parse(['da', 'ta: hel', 'lo\n', '\n']).events[0]!.data).toBe('hello'));
  it('reports comments and dispatches nothing for them', () =>
    expect(parse([': heartbeat\n\n:up to date\n\n'])).toMatchObject({
      events: [],
      comments: ['heartbeat', 'up to date'],
    }));
  it('does not dispatch an event without data', () => expect(parse(['event: x\n\n']).events).toEqual([]));
  it('keeps the last id across events and ignores ids with NUL', () =>
    expect(parse(['id: 7\ndata: a\n\nid: 8\0\ndata: b\n\n']).events.map((e) => e.id)).toEqual(['7', '7']));
  it('ignores unknown fields and strips one leading space only', () =>
    expect(parse(['foo: bar\ndata:  two\n\n']).events[0]!.data).toBe(' two'));
});
