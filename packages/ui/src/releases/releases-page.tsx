import { Badge } from '../components/badge.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import { Ago } from '../components/time.js';
import type { AuditEntry } from '../live.js';
import { href } from '../router.js';
import { useResource } from '../use-resource.js';
import { phaseTone, routeText, stepText } from './rollout-format.js';
import type { RolloutView } from './rollout-types.js';
import './releases.css';

const affects = (e: AuditEntry) => e.resource.startsWith('rollout:');

/** Every rollout with its phase, step and weight; live on rollout audit entries. */
export function ReleasesPage(_props: Record<string, unknown>) {
  const list = useResource<{ rollouts: RolloutView[] }>('/api/v1/rollouts', affects);
  const rollouts = [...(list.data?.rollouts ?? [])].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return (
    <Page title="Releases">
      <ErrorNote error={list.error} />
      {list.data === undefined && list.loading && <Loading />}
      {list.data !== undefined && rollouts.length === 0 && (
        <p class="muted">
          No rollouts yet. Start one with <code>pitboss rollout start -f rollout.yaml</code>.
        </p>
      )}
      {rollouts.length > 0 && (
        <table>
          <caption class="visually-hidden">Rollouts, most recently updated first</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Service</th>
              <th scope="col">Stable → canary</th>
              <th scope="col">Phase</th>
              <th scope="col">Step</th>
              <th scope="col">Weight</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {rollouts.map((r) => (
              <tr key={r.name}>
                <th scope="row">
                  <a href={href('releases', r.name)}>{r.name}</a>
                </th>
                <td>{r.service}</td>
                <td>
                  <code>{r.stableVersion}</code> → <code>{r.canaryVersion}</code>
                </td>
                <td>
                  <Badge tone={phaseTone(r.phase)} title={r.reason}>
                    {r.phase}
                  </Badge>
                </td>
                <td>{stepText(r)}</td>
                <td>{routeText(r.route)}</td>
                <td>
                  <Ago at={r.updatedAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
