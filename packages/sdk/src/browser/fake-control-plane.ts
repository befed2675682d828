/**
 * A scripted control plane behind a `fetch` function, for the browser SDK's unit tests: real `Response`s and
 * real ReadableStream bodies (so the SDK's streaming code runs as it does against a server), with the answers
 * and the stream's bytes chosen by the test. Aborting a request errors its body, as a browser's fetch does.
 */

export interface FakeRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  /** The parsed JSON body of a POST. */
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

export interface FakeAnswer {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** One open stream: the test writes its bytes. */
export class FakeStream {
  readonly response: Response;
  private controller!: ReadableStreamDefaultController<Uint8Array>;

  constructor(readonly request: FakeRequest) {
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.controller = controller;
      },
    });
    request.signal?.addEventListener('abort', () => this.fail(request.signal?.reason));
    this.response = new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });
  }

  /** Writes text, or raw bytes (to split a UTF-8 character between chunks). */
  send(chunk: string | Uint8Array): void {
    this.controller.enqueue(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  }

  /** Writes one event in the server's format. */
  event(event: string, id: number | undefined, data: unknown): void {
    this.send(`event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`);
  }

  end(): void {
    try {
      this.controller.close();
    } catch {
      // already closed or errored
    }
  }

  private fail(reason: unknown): void {
    try {
      this.controller.error(reason);
    } catch {
      // already closed
    }
  }
}

export class FakeControlPlane {
  readonly requests: FakeRequest[] = [];
  readonly streams: FakeStream[] = [];
  /** Answers `POST /sdk/v1/evaluate`; replace it to script the server. */
  evaluate: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer> = () => ({
    body: { version: 1, values: {} },
  });
  /** When set, stream requests get this answer instead of a stream. */
  refuseStreams: FakeAnswer | undefined;
  private readonly waiting: (() => void)[] = [];

  readonly fetch: typeof fetch = async (input, init) => {
    const request: FakeRequest = {
      url: new URL(String(input)),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      signal: init?.signal ?? undefined,
    };
    this.requests.push(request);
    request.signal?.throwIfAborted();
    if (request.url.pathname.endsWith('/sdk/v1/stream')) {
      if (this.refuseStreams) return json(this.refuseStreams);
      const stream = new FakeStream(request);
      this.streams.push(stream);
      for (const wake of this.waiting.splice(0)) wake();
      return stream.response;
    }
    if (request.url.pathname.endsWith('/sdk/v1/evaluate')) {
      const aborted = new Promise<never>((_, reject) =>
        request.signal?.addEventListener('abort', () => reject(request.signal?.reason)),
      );
      return json(await Promise.race([this.evaluate(request), aborted]));
    }
    return json({ status: 404, body: { code: 'NOT_FOUND', message: 'no route' } });
  };

  /** The `n`th stream opened (1-based), once the SDK has opened it. */
  async stream(n: number): Promise<FakeStream> {
    while (this.streams.length < n) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return this.streams[n - 1]!;
  }

  /** The evaluate requests so far. */
  get evaluations(): FakeRequest[] {
    return this.requests.filter((r) => r.url.pathname.endsWith('/sdk/v1/evaluate'));
  }
}

function json(answer: FakeAnswer): Response {
  return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
    status: answer.status ?? 200,
    headers: { 'content-type': 'application/json', ...answer.headers },
  });
}

/** Resolves with the payload of the client's next `event`. */
export function next(
  client: { on(event: 'ready' | 'change' | 'error' | 'stale', l: (p?: unknown) => void): () => void },
  event: 'ready' | 'change' | 'error' | 'stale',
): Promise<unknown> {
  return new Promise((resolve) => {
    const off = client.on(event, (payload) => {
      off();
      resolve(payload);
    });
  });
}
