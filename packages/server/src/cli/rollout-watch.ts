import type { RolloutView } from '../rollouts/rollout-view.js';
import { ApiError, type ServerOptions } from './api-client.js';
import { CliError } from './cli-error.js';

/** Waits between reconnections when the stream drops (a server restart, a proxy timeout). */
const RECONNECT_MS = 1000;

/**
 * Follows `GET /api/v1/rollouts/:name/watch` (Server-Sent Events) and calls `onStatus` with each status until
 * `done` says so; a dropped stream is reopened (the first event of a new stream is the current status, so
 * nothing is missed). Errors before the stream starts (unknown rollout, bad token) end it as the API's error.
 */
export async function watchRollout(
  options: ServerOptions,
  name: string,
  onStatus: (view: RolloutView) => Promise<void> | void,
  done: (view: RolloutView) => boolean,
): Promise<RolloutView> {
  if (!options.token) throw new CliError('no API token: pass --token or set PITBOSS_TOKEN', 2);
  const url = `${options.url.replace(/\/+$/, '')}/api/v1/rollouts/${encodeURIComponent(name)}/watch`;
  for (;;) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'text/event-stream' },
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      throw new CliError(`cannot reach ${options.url}: ${cause?.code ?? (e as Error).message}`, 2);
    }
    if (!res.ok || res.body === null) throw await apiError(res);
    for await (const view of statusEvents(res.body)) {
      await onStatus(view);
      if (done(view)) {
        await res.body.cancel().catch(() => {});
        return view;
      }
    }
    await new Promise((r) => setTimeout(r, RECONNECT_MS));
  }
}

/** The `status` events of an event stream (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
async function* statusEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<RolloutView> {
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
        if (event === 'status' && data !== '') yield JSON.parse(data) as RolloutView;
        end = buffer.indexOf('\n\n');
      }
    }
  } catch {
    // The connection dropped mid-stream: the caller reconnects.
  }
}

async function apiError(res: Response): Promise<CliError> {
  try {
    const e = (await res.json()) as { code?: string; message?: string; details?: unknown };
    return new ApiError(e.code ?? `HTTP_${res.status}`, e.message ?? res.statusText, e.details, res.status);
  } catch {
    return new CliError(`the server answered ${res.status} to watch; is it Pitboss?`, 2);
  }
}
