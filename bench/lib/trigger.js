import http from 'node:http';
import { now } from '../sse/clock.js';

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Sends one trigger request (`{method, path, headers, body}`) to `host:port` on its own keep-alive agent.
 * `sentAt` is read just before the request bytes are handed to the socket, `ackAt` when the answer has ended;
 * a failed request resolves with status 0 rather than rejecting.
 */
export function sendTrigger(host, port, trigger) {
  return new Promise((resolve) => {
    const body = trigger.body ?? '';
    const req = http.request({
      host,
      port,
      method: trigger.method,
      path: trigger.path,
      headers: { ...trigger.headers, 'content-length': Buffer.byteLength(body) },
      agent,
    });
    let sentAt = Number.NaN;
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        if (text.length < 500) text += chunk;
      });
      res.on('end', () => resolve({ sentAt, ackAt: now(), status: res.statusCode, body: text }));
    });
    req.on('error', (err) => resolve({ sentAt, ackAt: now(), status: 0, body: err.message }));
    sentAt = now();
    req.end(body);
  });
}
