import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import type { AuditEntry } from '../live.js';
import { can, useSession } from '../session.js';
import { useResource } from '../use-resource.js';
import './approvals.css';
import { type ChangeRequest, splitRequests } from './change-request.js';
import { ChangeRequestCard, type Outcome } from './change-request-card.js';

// The server names requests `change_request:<id>` in the audit log; the hyphenated form is accepted too.
const affects = (e: AuditEntry) => /^change[_-]request:/.test(e.resource);

/** Approvals: the queue of pending change requests, then the recently decided ones. Live on request entries. */
export function ApprovalsPage(_props: Record<string, unknown>) {
  const { me } = useSession();
  const list = useResource<{ changeRequests: ChangeRequest[] }>('/api/v1/change-requests', affects);
  const [rejecting, setRejecting] = useState<ChangeRequest>();
  const [outcomes, setOutcomes] = useState<Record<string, Outcome | undefined>>({});
  const onOutcome = (id: string, outcome: Outcome | undefined) =>
    setOutcomes((o) => ({ ...o, [id]: outcome }));
  const card = (r: ChangeRequest) => (
    <ChangeRequestCard
      key={r.id}
      request={r}
      outcome={outcomes[r.id]}
      onOutcome={onOutcome}
      onReject={setRejecting}
      onChanged={list.reload}
    />
  );
  const { pending, decided } = splitRequests(list.data?.changeRequests ?? []);
  return (
    <Page title="Approvals">
      <ErrorNote error={list.error} />
      {!can(me, 'approver') && (
        <p class="muted">
          Your role ({me.role}) can read change requests; approving them needs an approver token.
        </p>
      )}
      {list.data === undefined ? (
        list.loading && <Loading />
      ) : (
        <>
          <section aria-labelledby="queue-title">
            <h2 id="queue-title" class="cr-section">
              Waiting for approval ({pending.length})
            </h2>
            {pending.length === 0 && <p class="muted">Nothing is waiting for approval.</p>}
            {pending.map(card)}
          </section>
          <section aria-labelledby="decided-title">
            <h2 id="decided-title" class="cr-section">
              Recently decided
            </h2>
            {decided.length === 0 && <p class="muted">No decided requests yet.</p>}
            {decided.map(card)}
          </section>
        </>
      )}
      {rejecting && (
        <RejectDialog request={rejecting} onClose={() => setRejecting(undefined)} onDone={list.reload} />
      )}
    </Page>
  );
}

/** Rendered outside the request's <article>, so "Reject" inside an article stays one button. */
function RejectDialog(props: {
  readonly request: ChangeRequest;
  readonly onClose: () => void;
  readonly onDone: () => void;
}) {
  const { api } = useSession();
  const [reason, setReason] = useState('');
  const id = props.request.id;
  return (
    <ConfirmDialog
      title={`Reject ${id}?`}
      confirmLabel="Reject request"
      danger
      onClose={props.onClose}
      onConfirm={async () => {
        const trimmed = reason.trim();
        await api.post(path`/api/v1/change-requests/${id}/reject`, trimmed === '' ? {} : { reason: trimmed });
        props.onDone();
      }}
    >
      <p>
        {props.request.kind} on <code>{props.request.target}</code>, asked by {props.request.author}. Nothing
        of it is applied.
      </p>
      <label for="reject-reason">Reason for rejecting</label>
      <textarea
        id="reject-reason"
        class="code"
        maxLength={1000}
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
    </ConfirmDialog>
  );
}
