import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse.js';

function parse(...chunks: string[]): { events: SseEvent[]; parser: SseParser } {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const c of chunks) parser.feed(c);
  return { events, parser };
}

describe('SseParser', () => {
  it('reads named events with ids', () => {
    const { events } = parse('event: audit\nid: 7\ndata: {"seq":7}\n\n');
    expect(events).toEqual([{ event: 'audit', data: '{"seq":7}', id: '7' }]);
  });
  it('joins data lines and defaults the event name to message', () => {
    expect(parse('data: a\ndata: b\n\n').events).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });
  it('handles events split anywhere across chunks, including a CRLF split in two', () => {
    const { events } = parse('event: st', 'atus\r', '\ndata: {"a"', ':1}\r\n\r\n');
    expect(events).toEqual([{ event: 'status', data: '{"a":1}', id: undefined }]);
  });
  it('ignores comments (heartbeats) and events without data', () => {
    expect(parse(': heartbeat\n\nevent: x\n\n').events).toEqual([]);
  });
  it('keeps the last id for reconnection, and resets the event name after each event', () => {
    const { events, parser } = parse('id: 3\nevent: a\ndata: 1\n\ndata: 2\n\n');
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['a', '3'],
      ['message', '3'],
    ]);
    expect(parser.lastId).toBe('3');
  });
  it('takes the value after the first colon, with one leading space dropped', () => {
    expect(parse('data:  two spaces: kept\n\n').events[0]?.data).toBe(' two spaces: kept');
  });
});
