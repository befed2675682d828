// Just enough HTTP/1.1 + Server-Sent-Events parsing for the load generator: the response head (status,
// content-type, chunked or not), chunked-transfer framing, and SSE event blocks (`event:` and `data:` lines,
// comments ignored). Input is latin1 text (one char per byte), so chunk sizes can be counted in chars.
// No EventSource library: with 10,000 streams in one thread every allocation per event shows up.

/**
 * @typedef {{ status: number, contentType: string, chunked: boolean }} ResponseHead
 * @typedef {(type: string, data: string, firstByteAt: number) => void} EventHandler
 */

export class SseResponseParser {
  /**
   * @param {(head: ResponseHead) => void} onHead called once; the caller decides whether the stream is usable
   * @param {EventHandler} onEvent called per complete event with the arrival time of its first byte
   */
  constructor(onHead, onEvent) {
    this.onHead = onHead;
    this.onEvent = onEvent;
    this.head = null;
    this.headText = '';
    // Chunked framing: 'size' (reading the hex line), 'data' (chunkLeft bytes of payload), 'crlf'.
    this.chunkState = 'size';
    this.chunkLine = '';
    this.chunkLeft = 0;
    this.crlfLeft = 0;
    // SSE text of the event being received, and when its first byte arrived.
    this.sse = '';
    this.sseStart = 0;
  }

  /** @param {string} text latin1 chunk from the socket  @param {number} at its arrival time */
  push(text, at) {
    if (this.head === null) {
      this.headText += text;
      const end = this.headText.indexOf('\r\n\r\n');
      if (end === -1) {
        if (this.headText.length > 16_384) throw new Error('response head larger than 16 KiB');
        return;
      }
      this.head = parseHead(this.headText.slice(0, end));
      text = this.headText.slice(end + 4);
      this.headText = '';
      this.onHead(this.head);
      if (text.length === 0) return;
    }
    if (this.head.chunked) this.dechunk(text, at);
    else this.body(text, at);
  }

  /** Strips chunked transfer-encoding framing and feeds the payload to the SSE parser. */
  dechunk(text, at) {
    let i = 0;
    while (i < text.length) {
      if (this.chunkState === 'data') {
        const take = Math.min(this.chunkLeft, text.length - i);
        this.body(text.slice(i, i + take), at);
        i += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) {
          this.chunkState = 'crlf';
          this.crlfLeft = 2;
        }
      } else if (this.chunkState === 'crlf') {
        const take = Math.min(this.crlfLeft, text.length - i);
        i += take;
        this.crlfLeft -= take;
        if (this.crlfLeft === 0) this.chunkState = 'size';
      } else {
        const nl = text.indexOf('\n', i);
        if (nl === -1) {
          this.chunkLine += text.slice(i);
          return;
        }
        const line = this.chunkLine + text.slice(i, nl);
        this.chunkLine = '';
        i = nl + 1;
        const size = Number.parseInt(line, 16); // ignores ';ext' and the trailing '\r'
        if (!Number.isFinite(size)) throw new Error(`bad chunk size line '${line.trim()}'`);
        if (size === 0) throw new Error('stream ended (last chunk)');
        this.chunkState = 'data';
        this.chunkLeft = size;
      }
    }
  }

  /** SSE body text: events end at a blank line; '\r\n' line endings are accepted too. */
  body(text, at) {
    if (text.length === 0) return;
    if (text.includes('\r')) text = text.replaceAll('\r\n', '\n');
    if (this.sse.length === 0) this.sseStart = at;
    this.sse += text;
    let end = this.sse.indexOf('\n\n');
    while (end !== -1) {
      const block = this.sse.slice(0, end);
      this.sse = this.sse.slice(end + 2);
      this.dispatch(block, this.sseStart);
      // Whatever follows the blank line arrived in this chunk.
      this.sseStart = at;
      end = this.sse.indexOf('\n\n');
    }
  }

  dispatch(block, firstByteAt) {
    let type = 'message';
    let data = null;
    for (const line of block.split('\n')) {
      if (line.length === 0 || line.charCodeAt(0) === 58 /* ':' comment */) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'event') type = value;
      else if (field === 'data') data = data === null ? value : `${data}\n${value}`;
    }
    // Per the SSE spec a block without data lines dispatches nothing (heartbeats, id-only blocks).
    if (data !== null) this.onEvent(type, data, firstByteAt);
  }
}

/** @returns {ResponseHead} */
function parseHead(text) {
  const lines = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? Number.NaN);
  let contentType = '';
  let chunked = false;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (name === 'content-type') contentType = value;
    else if (name === 'transfer-encoding') chunked = value.split(',').some((v) => v.trim() === 'chunked');
  }
  return { status, contentType, chunked };
}

/** The numeric `version` in an event's JSON data, without parsing the JSON; NaN when absent. */
export function versionOf(data) {
  const m = /"version"\s*:\s*(-?\d+(?:\.\d+)?)/.exec(data);
  return m ? Number(m[1]) : Number.NaN;
}
