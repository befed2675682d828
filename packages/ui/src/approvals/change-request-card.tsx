import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { Badge, type Tone } from '../components/badge.js';
import { ErrorNote } from '../components/error-note.js';
import { Ago } from '../components/time.js';
import { href } from '../router.js';
import { can, useSession } from '../session.js';
import {
  type ChangeRequest,
  type ChangeStatus,
  diffRows,
  isMine,
  showValue,
  splitTarget,
} from './change-request.js';
import { useCurrentState } from './use-current-state.js';

/** What the last Approve said for a request: the server's refusal, or how it went. */
export interface Outcome {
  readonly error?: unknown;
  readonly notice?: string;
}

const STATUS_TONE: Record<ChangeStatus, Tone> = {
  pending: 'info',
  applied: 'good',
  rejected: 'bad',
  expired: 'neutral',
  failed: 'bad',
};

/** One change request: what it changes, who asked and why, the approvals so far, and Approve / Reject. */
export function ChangeRequestCard(props: {
  readonly request: ChangeRequest;
  /** Kept by the page: an approved request moves to "decided", and what it said must move with it. */
  readonly outcome: Outcome | undefined;
  readonly onOutcome: (id: string, outcome: Outcome | undefined) => void;
  readonly onReject: (request: ChangeRequest) => void;
  readonly onChanged: () => void;
}) {
  const { request } = props;
  const { api, me } = useSession();
  const [busy, setBusy] = useState(false);
  const { error, notice } = props.outcome ?? {};
  const setError = (e: unknown) => props.onOutcome(request.id, e === undefined ? undefined : { error: e });
  const setNotice = (n: string | undefined) =>
    props.onOutcome(request.id, n === undefined ? undefined : { notice: n });
  const mine = isMine(request, me);
  const approver = can(me, 'approver');

  const approve = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.post<ChangeRequest>(path`/api/v1/change-requests/${request.id}/approve`, {});
      setNotice(approvedNotice(r.body));
      props.onChanged();
    } catch (e) {
      // The server judges (own request, already approved, expired): its words, in this request's article.
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="panel cr" aria-label={`Change request ${request.id}`}>
      <header class="cr-head">
        <h3>
          <code>{request.kind}</code> on <TargetLink target={request.target} />
        </h3>
        <Badge tone={STATUS_TONE[request.status]}>{request.status}</Badge>
        {mine && <Badge tone="warn">your request</Badge>}
        <span class="muted small cr-id">{request.id}</span>
      </header>
      <dl class="cr-facts">
        <dt>Author</dt>
        <dd>{request.author}</dd>
        <dt>Filed</dt>
        <dd>
          <Ago at={request.createdAt} />
        </dd>
        <dt>Reason</dt>
        <dd>{request.reason ?? <span class="muted">none given</span>}</dd>
        <dt>Approvals</dt>
        <dd>
          {request.approvals.length} of {request.requiredApprovals}
          {request.approvals.length > 0 && (
            <span class="muted"> ({request.approvals.map((a) => a.actor).join(', ')})</span>
          )}
        </dd>
        {request.status === 'pending' ? (
          <>
            <dt>Expires</dt>
            <dd>
              <time dateTime={request.expiresAt}>{new Date(request.expiresAt).toLocaleString()}</time>
            </dd>
          </>
        ) : (
          <>
            <dt>Decided</dt>
            <dd>
              <Ago at={request.updatedAt} />
              <ResultNote result={request.result} />
            </dd>
          </>
        )}
      </dl>
      <ChangeDiff request={request} />
      {request.status === 'pending' && approver && (
        <div class="toolbar cr-actions">
          <button type="button" class="primary" onClick={approve} disabled={busy}>
            Approve
          </button>
          <button type="button" onClick={() => props.onReject(request)} disabled={busy}>
            Reject
          </button>
        </div>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNote error={error} />
    </article>
  );
}

function approvedNotice(r: ChangeRequest): string {
  if (r.status === 'applied') return 'Approved and applied.';
  if (r.status === 'failed')
    return `Approved, but it could not apply: ${resultMessage(r.result) ?? 'see the result'}`;
  return `Approved (${r.approvals.length} of ${r.requiredApprovals}).`;
}

function resultMessage(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as { code?: unknown; message?: unknown; reason?: unknown };
  const text = [r.code, r.message ?? r.reason].filter((x) => typeof x === 'string').join(': ');
  return text === '' ? undefined : text;
}

function ResultNote({ result }: { readonly result: unknown }) {
  const message = resultMessage(result);
  return message ? <span class="muted"> — {message}</span> : null;
}

function TargetLink({ target }: { readonly target: string }) {
  const { kind, key } = splitTarget(target);
  if (kind === 'flag') return <a href={href('flags', key)}>{target}</a>;
  if (kind === 'preset') return <a href={href('presets')}>{target}</a>;
  return <code>{target}</code>;
}

function ChangeDiff({ request }: { readonly request: ChangeRequest }) {
  const current = useCurrentState(request);
  const rows = diffRows(request, current);
  if (rows === undefined) {
    return (
      <details class="cr-payload" open={request.status === 'pending'}>
        <summary>Payload</summary>
        <pre>{JSON.stringify(request.payload, null, 2)}</pre>
      </details>
    );
  }
  const known = rows.some((r) => 'before' in r);
  return (
    <table class="cr-diff">
      <caption class="muted small">{known ? 'What it changes (now → requested)' : 'What it sets'}</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          {known && <th scope="col">Now</th>}
          <th scope="col">Requested</th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 && (
          <tr>
            <td colSpan={3} class="muted">
              No field differs from the current state.
            </td>
          </tr>
        )}
        {rows.map((r) => (
          <tr key={r.path}>
            <th scope="row">
              <code>{r.path}</code>
            </th>
            {known && (
              <td>
                <code class="cr-before">{showValue(r.before)}</code>
              </td>
            )}
            <td>
              <code class="cr-after">{showValue(r.after)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
