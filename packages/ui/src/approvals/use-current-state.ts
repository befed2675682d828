import { useEffect, useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { useSession } from '../session.js';
import { type ChangeRequest, type CurrentState, splitTarget } from './change-request.js';

/**
 * What a pending request's target looks like now, so the diff can say "before → after". Decided requests are
 * history: today's state says nothing about what they changed, so nothing is read for them. A failed read
 * (a flag the request creates does not exist yet) just leaves the payload without "before".
 */
export function useCurrentState(request: ChangeRequest): CurrentState | undefined {
  const { api } = useSession();
  const [state, setState] = useState<CurrentState>();
  const { kind, key } = splitTarget(request.target);
  const pending = request.status === 'pending';
  useEffect(() => {
    if (!pending || request.kind.endsWith('.create')) return;
    const controller = new AbortController();
    const load = async (): Promise<CurrentState | undefined> => {
      if (request.kind === 'preset.apply') {
        // The dry run says per flag and environment what applying would change: the best "before → after".
        const r = await api.request<{ changes: Record<string, Record<string, Record<string, never>>> }>(
          path`/api/v1/presets/${key}/diff`,
          { method: 'POST', body: {}, signal: controller.signal },
        );
        return { kind: 'preset-diff', changes: r.body.changes };
      }
      if (kind === 'flag')
        return { kind, value: await api.get(path`/api/v1/flags/${key}`, controller.signal) };
      if (kind === 'preset')
        return { kind, value: await api.get(path`/api/v1/presets/${key}`, controller.signal) };
      return undefined;
    };
    load()
      .then(setState)
      .catch(() => undefined);
    return () => controller.abort();
  }, [api, kind, key, pending, request.kind, request.version]);
  return pending ? state : undefined;
}
