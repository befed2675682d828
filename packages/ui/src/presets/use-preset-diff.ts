import { useCallback, useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { useAuditEntries } from '../live.js';
import { useSession } from '../session.js';
import type { PresetDryRun } from './preset-diff.js';

export interface PresetDiffState {
  readonly data: PresetDryRun | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Runs the dry run now and keeps it fresh (flags or the preset changing) until `clear`. */
  load(): void;
  clear(): void;
}

/**
 * The dry run of one preset (`POST …/diff`, which writes nothing). Once shown it follows the live feed: a flag
 * changed by someone else changes what applying would do, and the person deciding should see that.
 */
export function usePresetDiff(key: string): PresetDiffState {
  const { api } = useSession();
  const [active, setActive] = useState(false);
  const [data, setData] = useState<PresetDryRun>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);

  const load = useCallback(() => {
    setActive(true);
    setLoading(true);
    api
      .post<PresetDryRun>(path`/api/v1/presets/${key}/diff`, {})
      .then((r) => {
        setData(r.body);
        setError(undefined);
      })
      .catch(setError)
      .finally(() => setLoading(false));
  }, [api, key]);

  useAuditEntries((e) => {
    if (active && (e.resource.startsWith('flag:') || e.resource === `preset:${key}`)) load();
  });

  const clear = useCallback(() => {
    setActive(false);
    setData(undefined);
    setError(undefined);
  }, []);
  return { data, error, loading, load, clear };
}
