import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type AuditEntry, useAuditEntries } from './live.js';
import { useSession } from './session.js';

export interface Resource<T> {
  readonly data: T | undefined;
  readonly etag: string | null;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): void;
}

/**
 * Reads `path` (null: nothing yet) and reads it again whenever an audit entry for which `affects` says true
 * arrives on the live feed. The last good answer stays on screen while a reload is in flight.
 */
export function useResource<T>(path: string | null, affects?: (entry: AuditEntry) => boolean): Resource<T> {
  const { api } = useSession();
  const [state, setState] = useState<{ data: T | undefined; etag: string | null; error: unknown }>({
    data: undefined,
    etag: null,
    error: undefined,
  });
  const [loading, setLoading] = useState(path !== null);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const current = useRef(path);
  current.current = path;

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    api
      .request<T>(path, { signal: controller.signal })
      .then((r) => {
        if (current.current === path) setState({ data: r.body, etag: r.etag, error: undefined });
      })
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setState((s) => ({ ...s, error }));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [api, path, generation]);

  useAuditEntries((entry) => {
    if (affects?.(entry)) reload();
  });

  return { ...state, loading, reload };
}
