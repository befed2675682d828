/**
 * The active OpenTelemetry trace id, when the application uses OpenTelemetry. `@opentelemetry/api` is an optional
 * peer dependency: it is imported dynamically once, and when it is absent the decision log falls back to the
 * context's `traceId`. The module name is held in a variable so bundlers and TypeScript do not require it.
 */

interface SpanContextLike {
  traceId: string;
}
interface TraceApiLike {
  getActiveSpan(): { spanContext(): SpanContextLike } | undefined;
}

let traceApi: TraceApiLike | undefined;
let loading: Promise<void> | undefined;
const INVALID_TRACE_ID = '00000000000000000000000000000000';

/**
 * Imports `@opentelemetry/api` once per process; resolves whether or not it is installed.
 *
 * @example
 * await loadTraceApi();
 * activeTraceId(); // '0af7651916cd43dd8448eb211c80319c' inside a span, else undefined
 */
export function loadTraceApi(): Promise<void> {
  const name = '@opentelemetry/api';
  loading ??= import(name).then(
    (mod: { trace?: TraceApiLike }) => {
      if (typeof mod.trace?.getActiveSpan === 'function') traceApi = mod.trace;
    },
    () => {
      // Not installed: the decision log uses the context's traceId.
    },
  );
  return loading;
}

/** The trace id of the active span, or undefined (no OpenTelemetry, no span, or the all-zero invalid id). */
export function activeTraceId(): string | undefined {
  if (traceApi === undefined) return undefined;
  try {
    const id = traceApi.getActiveSpan()?.spanContext().traceId;
    return id === undefined || id === INVALID_TRACE_ID ? undefined : id;
  } catch {
    return undefined;
  }
}
