import type { Flag } from '@pitboss/engine';
import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { Badge } from '../components/badge.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import { Ago } from '../components/time.js';
import { href } from '../router.js';
import { can, useSession } from '../session.js';
import { useResource } from '../use-resource.js';
import { EnvPanel, EnvTabs } from './env-tabs.js';
import { FlagHistory } from './flag-history.js';
import { environmentOrder, expiryBadge } from './flag-list.js';
import { type EnvironmentInfo, type FlagView, flagResource, type SegmentView } from './flag-types.js';
import { KillSwitch } from './kill-switch.js';
import { RecentDecisions } from './recent-decisions.js';
import { RulesEditor } from './rules-editor.js';
import './flags.css';

/** #/flags/<key>: the flag's facts, per environment its kill switch and rules, its history and decisions. */
export function FlagPage({ flagKey }: { readonly flagKey: string }) {
  const { me } = useSession();
  const resource = flagResource(flagKey);
  const flag = useResource<FlagView>(path`/api/v1/flags/${flagKey}`, (e) => e.resource === resource);
  const envs = useResource<{ environments: EnvironmentInfo[] }>('/api/v1/environments', (e) =>
    e.resource.startsWith('environment:'),
  );
  const segments = useResource<{ segments: SegmentView[] }>('/api/v1/segments', (e) =>
    e.resource.startsWith('segment:'),
  );
  const [chosen, setChosen] = useState<string>();

  const view = flag.data?.flag.key === flagKey ? flag.data : undefined;
  if (view === undefined) {
    return (
      <Page title={flagKey}>
        <p>
          <a href={href('flags')}>← All flags</a>
        </p>
        <ErrorNote error={flag.error} />
        {flag.loading && <Loading />}
      </Page>
    );
  }
  const environments = environmentOrder(envs.data?.environments.map((e) => e.key) ?? [], [view]);
  // On call, prod matters most: open on the last environment in promotion order unless one was chosen.
  const env = chosen !== undefined && environments.includes(chosen) ? chosen : environments.at(-1);
  const config = env === undefined ? undefined : view.flag.environments[env];
  const variants = Object.keys(view.flag.variants);
  const canEdit = can(me, 'editor');

  return (
    <Page title={flagKey}>
      <p>
        <a href={href('flags')}>← All flags</a>
      </p>
      <FlagFacts view={view} />
      <ErrorNote error={flag.error} />
      <EnvTabs
        environments={environments}
        selected={env ?? ''}
        onSelect={setChosen}
        badge={(e) => (view.flag.environments[e]?.killSwitch ? <Badge tone="bad">KILLED</Badge> : null)}
      />
      {env !== undefined && config !== undefined && (
        <EnvPanel env={env}>
          <KillSwitch
            key={env}
            flagKey={flagKey}
            env={env}
            killed={config.killSwitch}
            offVariant={config.offVariant}
            canEdit={canEdit}
            onDone={flag.reload}
          />
          <RulesEditor
            key={env}
            flagKey={flagKey}
            env={env}
            config={config}
            variants={variants}
            etag={flag.etag}
            segments={segments.data?.segments.filter((s) => !s.archived).map((s) => s.segment.key)}
            canEdit={canEdit}
            onReload={flag.reload}
          />
        </EnvPanel>
      )}
      <FlagHistory flagKey={flagKey} />
      <RecentDecisions flagKey={flagKey} environments={environments} />
    </Page>
  );
}

function FlagFacts({ view }: { readonly view: FlagView }) {
  const { flag } = view;
  const expiry = expiryBadge(flag.expiresAt, Date.now());
  return (
    <section class="panel" aria-label="About this flag">
      {flag.description && <p style={{ marginTop: 0 }}>{flag.description}</p>}
      <dl class="flag-meta">
        <dt>Kind</dt>
        <dd>{flag.kind}</dd>
        <dt>Owner</dt>
        <dd>{flag.owner ?? <span class="muted">none</span>}</dd>
        <dt>Tags</dt>
        <dd>{flag.tags.length > 0 ? flag.tags.join(', ') : <span class="muted">none</span>}</dd>
        <dt>Expiry</dt>
        <dd>
          {expiry ? <Badge tone={expiry.tone}>{expiry.label}</Badge> : <span class="muted">unknown</span>}{' '}
          {flag.expiresAt && <span class="muted small">{flag.expiresAt}</span>}
        </dd>
        <dt>Protected</dt>
        <dd>{flag.protected ? <Badge tone="info">protected: changes need approval</Badge> : 'no'}</dd>
        <dt>Variants</dt>
        <dd>
          <Variants flag={flag} />
        </dd>
        <dt>Version</dt>
        <dd>
          {view.version}, changed <Ago at={view.updatedAt} />
        </dd>
      </dl>
    </section>
  );
}

function Variants({ flag }: { readonly flag: Flag }) {
  return (
    <>
      {Object.entries(flag.variants).map(([name, value], i) => (
        <span key={name}>
          {i > 0 && ', '}
          <code>{name}</code> = <code>{JSON.stringify(value)}</code>
        </span>
      ))}
    </>
  );
}
