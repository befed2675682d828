import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import type { AuditEntry } from '../live.js';
import { can, useSession } from '../session.js';
import { useResource } from '../use-resource.js';
import { PresetCard } from './preset-card.js';
import { type PresetView, sortPresets } from './preset-diff.js';
import './presets.css';

const affects = (e: AuditEntry) => e.resource.startsWith('preset:') || e.resource.startsWith('flag:');

/** #/presets: named bundles of flag states, emergency ones first, each with a dry run and Apply. */
export function PresetsPage(_props: Record<string, unknown>) {
  const { me } = useSession();
  const presets = useResource<{ presets: PresetView[] }>('/api/v1/presets', affects);
  const views = sortPresets((presets.data?.presets ?? []).filter((p) => !p.archived));
  return (
    <Page title="Presets">
      <ErrorNote error={presets.error} />
      {presets.data === undefined ? (
        presets.loading && <Loading />
      ) : views.length === 0 ? (
        <p class="muted">No presets yet. Define them with `pitboss apply` (kind: Preset) or the API.</p>
      ) : (
        views.map((view) => <PresetCard key={view.preset.key} view={view} canEdit={can(me, 'editor')} />)
      )}
    </Page>
  );
}
