import { useEffect, useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { followStream } from '../api/sse.js';
import { useSession } from '../session.js';
import { appendSamples } from './health-series.js';
import type { HealthEvent, HealthSample, ReleaseHealth } from './health-types.js';
import type { RolloutView } from './rollout-types.js';

export interface ReleaseWatch {
  readonly view: RolloutView | undefined;
  /** Reading the rollout failed (404: no such rollout). */
  readonly error: unknown;
  readonly samples: readonly HealthSample[];
  /** Why health samples cannot be read right now, if so. */
  readonly healthError: string | undefined;
  readonly connected: boolean;
  /** A command's answer carries the new status: show it without waiting for the stream. */
  setView(view: RolloutView): void;
}

/**
 * One rollout, live: its status read once, then followed on `watch?health=true` (a status per change, a health
 * sample per step), with the last 5 minutes of health read first so the charts do not start empty.
 */
export function useReleaseWatch(name: string): ReleaseWatch {
  const { api } = useSession();
  const [view, setView] = useState<RolloutView>();
  const [error, setError] = useState<unknown>();
  const [samples, setSamples] = useState<HealthSample[]>([]);
  const [healthError, setHealthError] = useState<string>();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    setView(undefined);
    setError(undefined);
    setSamples([]);
    setHealthError(undefined);
    const controller = new AbortController();
    api
      .get<RolloutView>(path`/api/v1/rollouts/${name}`, controller.signal)
      .then((v) => setView((current) => newer(current, v)))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    api
      .get<ReleaseHealth>(path`/api/v1/rollouts/${name}/health?window=5m&step=5s`, controller.signal)
      .then((h) => {
        // The stream may have delivered newer samples already: merge, do not replace.
        setSamples((live) => appendSamples(h.samples, live));
        if (!h.available) setHealthError(h.error ?? 'release health is not available');
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setHealthError(e instanceof Error ? e.message : String(e));
      });
    const stop = followStream(path`/api/v1/rollouts/${name}/watch` + '?health=true', {
      token: api.token,
      onState: setConnected,
      onEvent: (event) => {
        if (event.event === 'status') {
          const next = JSON.parse(event.data) as RolloutView;
          setView((current) => newer(current, next));
        } else if (event.event === 'health') {
          const h = JSON.parse(event.data) as HealthEvent;
          if ('available' in h) setHealthError(h.error);
          else {
            setHealthError(undefined);
            setSamples((shown) => appendSamples(shown, [h]));
          }
        }
      },
    });
    return () => {
      controller.abort();
      stop();
    };
  }, [api, name]);

  return {
    view,
    error,
    samples,
    healthError,
    connected,
    setView: (v) => setView((current) => newer(current, v)),
  };
}

/** A slow GET or command answer must not put an older state back over the stream's newer one. */
function newer(current: RolloutView | undefined, next: RolloutView): RolloutView {
  if (current === undefined || current.revision !== next.revision) {
    return current && current.revision > next.revision ? current : next;
  }
  return next.stateVersion >= current.stateVersion ? next : current;
}
