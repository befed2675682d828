import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { Badge } from '../components/badge.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { useSession } from '../session.js';
import type { ApprovalRequired } from './flag-types.js';
import { approvalOf, SentForApproval } from './outcome.js';

/**
 * The emergency brake of one environment. Turning it on never needs approval or a version (the server takes it
 * at once); releasing it on a protected flag may come back as a change request. The state shown is the flag's
 * own, so it follows the live feed whoever flipped it.
 */
export function KillSwitch(props: {
  readonly flagKey: string;
  readonly env: string;
  readonly killed: boolean;
  readonly offVariant: string;
  readonly canEdit: boolean;
  readonly onDone: () => void;
}) {
  const { api } = useSession();
  const { flagKey, env, killed } = props;
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [approval, setApproval] = useState<ApprovalRequired>();
  const [done, setDone] = useState<string>();

  const flip = async () => {
    const body = { on: !killed, ...(reason.trim() ? { reason: reason.trim() } : {}) };
    const r = await api.post(path`/api/v1/flags/${flagKey}/environments/${env}/kill`, body);
    const pending = approvalOf(r.status, r.body);
    setApproval(pending);
    setDone(
      pending ? undefined : killed ? `Kill switch released in ${env}.` : `${flagKey} killed in ${env}.`,
    );
    setReason('');
    props.onDone();
  };

  return (
    <section class="panel" aria-labelledby="kill-title">
      <h2 id="kill-title">Kill switch</h2>
      <div class="kill-row">
        {killed ? (
          <span class="killed-banner">
            <Badge tone="bad">KILLED</Badge> in {env}: every player gets “{props.offVariant}”, whatever the
            rules.
          </span>
        ) : (
          <span>
            <Badge tone="good">live</Badge> in {env}: the rules below decide.
          </span>
        )}
        <button
          type="button"
          class={killed ? 'release' : 'danger'}
          disabled={!props.canEdit}
          onClick={() => {
            setApproval(undefined);
            setDone(undefined);
            setOpen(true);
          }}
        >
          {killed ? 'Release kill switch' : 'Kill switch'}
        </button>
        {!props.canEdit && <span class="muted small">Viewers cannot flip kill switches.</span>}
      </div>
      {done && (
        <p class="notice" role="status">
          {done}
        </p>
      )}
      {approval && <SentForApproval approval={approval} />}
      {open && (
        <ConfirmDialog
          title={killed ? `Release the kill switch of ${flagKey} in ${env}?` : `Kill ${flagKey} in ${env}?`}
          confirmLabel={killed ? `Release ${flagKey} in ${env}` : `Kill ${flagKey} in ${env}`}
          danger={!killed}
          onConfirm={flip}
          onClose={() => setOpen(false)}
        >
          <p>
            {killed
              ? `Release ${flagKey} in ${env}? Its rules decide again at once.`
              : `Kill ${flagKey} in ${env}? Every player in ${env} gets “${props.offVariant}” at once, whatever the rules.`}
          </p>
          <label for="kill-reason">Reason (recorded in the audit log)</label>
          <input
            id="kill-reason"
            type="text"
            value={reason}
            maxLength={1000}
            style={{ width: '100%' }}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </ConfirmDialog>
      )}
    </section>
  );
}
