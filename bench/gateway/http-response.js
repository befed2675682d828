// Minimal incremental HTTP/1.1 response reader for the load generator: status, the `x-version` header the
// upstreams set, keep-alive, and body framing (Content-Length or chunked) so the next response on a keep-alive
// socket starts where this one ends. No general-purpose client: no pipelining, no trailers kept, no 1xx, no
// HEAD — the load generator never asks for them. node:http's client would cost the generator more CPU per
// request than the proxies it measures on this 2-core machine.

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 16 * 1024;

/**
 * Feed socket chunks with push(); `onResponse({ status, version, close })` fires once per complete response
 * (headers and body). Throws on a malformed response (the caller drops the connection).
 */
export class ResponseReader {
  /** @param {(r: { status: number, version: string | undefined, close: boolean, keepAliveS: number }) => void}
   *   onResponse  keepAliveS: the server's `Keep-Alive: timeout=N` hint, NaN without one */
  constructor(onResponse) {
    this.onResponse = onResponse;
    /** @type {Buffer | null} bytes not consumed yet */
    this.pending = null;
    this.head = null; // parsed head of the response whose body is being read
    this.bodyLeft = 0; // Content-Length framing: bytes of body still to come
    this.chunked = false;
  }

  /** @param {Buffer} chunk */
  push(chunk) {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    for (;;) {
      if (!this.head) {
        const end = buf.indexOf(HEADER_END);
        if (end === -1) {
          if (buf.length > MAX_HEAD) throw new Error('response head larger than 16 KiB');
          this.pending = buf.length ? buf : null;
          return;
        }
        this.head = parseHead(buf.latin1Slice(0, end));
        buf = buf.subarray(end + 4);
        this.chunked = this.head.chunked;
        this.bodyLeft = this.head.length;
        if (!this.chunked && this.head.length === -1) {
          throw new Error('response without Content-Length or chunked encoding');
        }
      }
      if (this.chunked) {
        const used = chunkedBodyEnd(buf);
        if (used === -1) {
          this.pending = buf.length ? buf : null;
          return;
        }
        buf = buf.subarray(used);
      } else {
        const take = Math.min(this.bodyLeft, buf.length);
        this.bodyLeft -= take;
        buf = buf.subarray(take);
        if (this.bodyLeft > 0) return;
      }
      const { status, version, close, keepAliveS } = this.head;
      this.head = null;
      this.onResponse({ status, version, close, keepAliveS });
      if (buf.length === 0) return;
    }
  }
}

/** @param {string} text status line and header lines, without the blank line */
export function parseHead(text) {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0]);
  if (!m) throw new Error(`bad status line '${lines[0].slice(0, 60)}'`);
  const head = {
    status: Number(m[2]),
    version: undefined,
    close: m[1] === '0',
    chunked: false,
    length: -1,
    keepAliveS: Number.NaN,
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`bad header line '${line.slice(0, 60)}'`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') head.length = Number(value);
    else if (name === 'transfer-encoding') head.chunked = /\bchunked\b/i.test(value);
    else if (name === 'x-version') head.version = value;
    else if (name === 'connection') head.close = /\bclose\b/i.test(value);
    else if (name === 'keep-alive')
      head.keepAliveS = Number(/\btimeout=(\d+)/i.exec(value)?.[1] ?? Number.NaN);
  }
  // 204 and 304 have no body whatever the headers say (RFC 9112 §6.3).
  if (head.status === 204 || head.status === 304) {
    head.chunked = false;
    head.length = 0;
  }
  return head;
}

/**
 * Where a complete chunked body (chunks, last chunk, trailer section) ends in `buf`, or -1 when it has not
 * all arrived yet. Re-scans from the start on every call: bodies here are a few hundred bytes.
 */
export function chunkedBodyEnd(buf) {
  let at = 0;
  for (;;) {
    const eol = buf.indexOf(CRLF, at);
    if (eol === -1) return -1;
    const size = Number.parseInt(buf.latin1Slice(at, eol).split(';')[0], 16);
    if (!Number.isFinite(size) || size < 0) throw new Error('bad chunk size');
    at = eol + 2;
    if (size === 0) {
      // Trailer section: header lines until an empty line.
      for (;;) {
        const end = buf.indexOf(CRLF, at);
        if (end === -1) return -1;
        if (end === at) return at + 2;
        at = end + 2;
      }
    }
    if (buf.length < at + size + 2) return -1;
    at += size + 2;
  }
}
