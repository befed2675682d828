import { Badge } from '../components/badge.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import { Ago } from '../components/time.js';
import { href } from '../router.js';
import { HealthPanel } from './health-panel.js';
import { ReleaseControls } from './release-controls.js';
import { ReleaseGates } from './release-gates.js';
import { ReleaseHistory } from './release-history.js';
import { percent, phaseTone, routeText, stepText } from './rollout-format.js';
import type { RolloutView } from './rollout-types.js';
import { useReleaseWatch } from './use-release-watch.js';
import './releases.css';

/** One rollout, live: phase and routing, steps, gates with evidence, release health, commands and history. */
export function ReleasePage({ name }: { readonly name: string }) {
  const watch = useReleaseWatch(name);
  const { view } = watch;
  return (
    <Page title={`Release ${name}`}>
      <p class="small">
        <a href={href('releases')}>← Release list</a>{' '}
        <span class={watch.connected ? 'live live-on' : 'live live-off'}>
          {watch.connected ? 'following' : 'connecting…'}
        </span>
      </p>
      <ErrorNote error={watch.error} />
      {view === undefined ? (
        !watch.error && <Loading />
      ) : (
        <>
          <ReleaseSummary view={view} />
          <ReleaseControls view={view} onStatus={watch.setView} />
          <div class="grid-2">
            <StepTimeline view={view} />
            <ReleaseGates gates={view.gates} />
          </div>
          <HealthPanel
            samples={watch.samples}
            error={watch.healthError}
            stableVersion={view.stableVersion}
            canaryVersion={view.canaryVersion}
          />
          <ReleaseHistory name={name} stateVersion={view.stateVersion} stepCount={view.steps.length} />
        </>
      )}
    </Page>
  );
}

function ReleaseSummary({ view }: { readonly view: RolloutView }) {
  const aborted = view.phase === 'Aborted';
  return (
    <section class="panel release-summary" aria-label="Status">
      <dl>
        <dt>Service</dt>
        <dd>{view.service}</dd>
        <dt>Versions</dt>
        <dd>
          stable <code>{view.stableVersion}</code> → canary <code>{view.canaryVersion}</code>
          <span class="muted small"> · revision {view.revision}</span>
        </dd>
        <dt>Phase</dt>
        <dd>
          <span role="status">
            <Badge tone={phaseTone(view.phase)}>{view.phase}</Badge>
          </span>{' '}
          <span class="muted small">
            step {stepText(view)} · updated <Ago at={view.updatedAt} />
          </span>
        </dd>
        <dt>Reason</dt>
        <dd class={aborted ? 'release-reason-bad' : undefined}>
          <strong>{view.reason}</strong>
          {view.message && <>: {view.message}</>}
        </dd>
        <dt>Canary traffic</dt>
        <dd>
          <strong class="release-weight">{routeText(view.route)}</strong>
          {!view.routeConfirmed && <span class="muted small"> (waiting for the router to confirm)</span>}
        </dd>
        <dt>Mirror</dt>
        <dd>{view.route.mirror > 0 ? `${percent(view.route.mirror)} of requests` : 'off'}</dd>
        {view.pause && (
          <>
            <dt>Paused</dt>
            <dd>
              {view.pause.reason} since <Ago at={view.pause.since} />
              {view.pause.until && (
                <>
                  , until <Ago at={view.pause.until} />
                </>
              )}
            </dd>
          </>
        )}
        {view.pendingCommands.length > 0 && (
          <>
            <dt>Queued</dt>
            <dd>{view.pendingCommands.map((c) => `${c.command} by ${c.by}`).join(', ')}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

function StepTimeline({ view }: { readonly view: RolloutView }) {
  return (
    <section class="panel" aria-labelledby="steps-title">
      <h2 id="steps-title">Steps</h2>
      <ol class="steps">
        {view.steps.map((s, i) => {
          const done = i < view.stepIndex;
          const current = i === view.stepIndex && view.phase !== 'Healthy';
          return (
            <li
              key={i}
              class={done ? 'step-done' : current ? 'step-current' : 'step-todo'}
              aria-current={current ? 'step' : undefined}
            >
              <span class="step-mark" aria-hidden="true">
                {done ? '✓' : current ? '▶' : '○'}
              </span>
              <code>{s}</code>
              {done && <span class="visually-hidden"> (done)</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
