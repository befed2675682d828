import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorNote } from '../components/error-note.js';
import { can, useSession } from '../session.js';
import { allowedCommands } from './rollout-format.js';
import type { RolloutView } from './rollout-types.js';

type Command = 'promote' | 'pause' | 'resume' | 'abort' | 'retry';

/**
 * Operator commands. Promote (next step), Pause and Resume act at once; a full promotion and an abort are
 * confirmed first. Buttons follow the state; the server still judges, and its refusal is shown here.
 */
export function ReleaseControls(props: {
  readonly view: RolloutView;
  readonly onStatus: (v: RolloutView) => void;
}) {
  const { api, me } = useSession();
  const { view } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  // A command's note belongs to the phase it left the rollout in; once the phase moves on it is stale.
  const [notice, setNotice] = useState<{ text: string; phase: string }>();
  const [dialog, setDialog] = useState<'abort' | 'full'>();
  const editor = can(me, 'editor');
  const allowed = allowedCommands(view);

  const send = async (command: Command, body: Record<string, unknown> = {}) => {
    const r = await api.post<{ status: RolloutView; queued: boolean }>(
      path`/api/v1/rollouts/${view.name}/${command}`,
      body,
    );
    props.onStatus(r.body.status);
    const text = r.body.queued ? `${command}: queued for the controller` : `${command}: done`;
    setNotice({ text, phase: r.body.status.phase });
  };
  const run = async (command: Command) => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await send(command);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const off = (ok: boolean) => !editor || busy || !ok;

  return (
    <div class="release-controls">
      <fieldset class="toolbar release-commands">
        <legend class="visually-hidden">Rollout commands</legend>
        <button type="button" class="primary" disabled={off(allowed.promote)} onClick={() => run('promote')}>
          Promote
        </button>
        <button type="button" disabled={off(allowed.promoteFull)} onClick={() => setDialog('full')}>
          Full promotion…
        </button>
        <button type="button" disabled={off(allowed.pause)} onClick={() => run('pause')}>
          Pause
        </button>
        <button type="button" disabled={off(allowed.resume)} onClick={() => run('resume')}>
          Resume
        </button>
        {view.phase === 'Aborted' && (
          <button type="button" disabled={off(allowed.retry)} onClick={() => run('retry')}>
            Retry
          </button>
        )}
        <button type="button" class="danger" disabled={off(allowed.abort)} onClick={() => setDialog('abort')}>
          Abort
        </button>
        {!editor && <span class="muted small">Commands need an editor token.</span>}
      </fieldset>
      {notice && notice.phase === view.phase && (
        <p class="notice" role="status">
          {notice.text}
        </p>
      )}
      <ErrorNote error={error} />
      {dialog === 'full' && (
        <ConfirmDialog
          title={`Promote ${view.name} to 100 %?`}
          confirmLabel="Promote to 100 %"
          onClose={() => setDialog(undefined)}
          onConfirm={() => send('promote', { full: true })}
        >
          <p>
            All traffic goes to <code>{view.canaryVersion}</code> now: the remaining steps and analyses are
            skipped.
          </p>
        </ConfirmDialog>
      )}
      {dialog === 'abort' && <AbortDialog view={view} onClose={() => setDialog(undefined)} send={send} />}
    </div>
  );
}

function AbortDialog(props: {
  readonly view: RolloutView;
  readonly onClose: () => void;
  readonly send: (command: Command, body: Record<string, unknown>) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  return (
    <ConfirmDialog
      title={`Abort ${props.view.name}?`}
      confirmLabel="Abort rollout"
      danger
      onClose={props.onClose}
      onConfirm={() => props.send('abort', reason.trim() === '' ? {} : { reason: reason.trim() })}
    >
      <p>
        All traffic goes back to <code>{props.view.stableVersion}</code> (weight 0, canary drained).
      </p>
      <label for="abort-reason">Reason</label>
      <textarea
        id="abort-reason"
        class="code"
        maxLength={1000}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
    </ConfirmDialog>
  );
}
