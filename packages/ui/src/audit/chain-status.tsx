import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { type Api, describeError } from '../api/client.js';
import { Ago } from '../components/time.js';
import { type AuditEntry, useAuditEntries } from '../live.js';
import { useSession } from '../session.js';

/** `GET /api/v1/audit/verify` (server: audit/audit-verify.ts). */
interface Verification {
  readonly ok: boolean;
  readonly checked: number;
  readonly checkpoints: number;
  readonly firstBroken?: { readonly seq: number; readonly problem: string; readonly message: string };
}

interface Checked {
  readonly result: Verification;
  /** The hash of the last entry verified: the head the verdict covers. */
  readonly headHash: string | undefined;
  readonly at: string;
}

// Verifying walks the whole log: after new entries, at most once per this interval.
const REVERIFY_MS = 5000;

/** The server's verdict, and the hash of the head it covers. */
async function check(api: Api): Promise<Checked> {
  const at = new Date().toISOString();
  const result = await api.get<Verification>('/api/v1/audit/verify');
  const head =
    result.checked > 0
      ? await api.get<{ entries: AuditEntry[] }>(`/api/v1/audit?after=${result.checked - 1}&limit=1`)
      : { entries: [] };
  return { result, headHash: head.entries[0]?.hash, at };
}

/** The chain banner: verified (entries, head hash) or broken (first bad seq), re-checked as entries arrive. */
export function ChainStatus() {
  const { api } = useSession();
  const [checked, setChecked] = useState<Checked>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const last = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout>>();

  const verify = useCallback(async () => {
    clearTimeout(timer.current);
    timer.current = undefined;
    last.current = Date.now();
    setBusy(true);
    try {
      setChecked(await check(api));
      setError(undefined);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, [api]);

  useEffect(() => {
    void verify();
    return () => clearTimeout(timer.current);
  }, [verify]);

  useAuditEntries(() => {
    if (timer.current !== undefined) return;
    const wait = Math.max(0, last.current + REVERIFY_MS - Date.now());
    timer.current = setTimeout(() => void verify(), wait);
  });

  return (
    <div class={`chain ${bannerClass(checked, error)}`}>
      <p role="status" aria-live="polite" class="chain-text">
        <ChainText checked={checked} error={error} />
      </p>
      <button type="button" onClick={() => void verify()} disabled={busy}>
        Verify again
      </button>
    </div>
  );
}

function bannerClass(checked: Checked | undefined, error: unknown): string {
  if (error !== undefined) return 'chain-bad';
  if (checked === undefined) return 'chain-unknown';
  return checked.result.ok ? 'chain-good' : 'chain-bad';
}

function ChainText({ checked, error }: { readonly checked: Checked | undefined; readonly error: unknown }) {
  if (error !== undefined) return <>Could not verify the chain: {describeError(error)}</>;
  if (checked === undefined) return <>Verifying the chain…</>;
  const { result, headHash } = checked;
  if (!result.ok && result.firstBroken) {
    const b = result.firstBroken;
    return (
      <>
        <strong>Chain broken at seq {b.seq}</strong> ({b.problem}): {b.message}. {result.checked} entries
        before it are intact.
      </>
    );
  }
  return (
    <>
      <strong>
        Chain verified: {result.checked} entries, head <code>{headHash ? headHash.slice(0, 12) : '—'}</code>
      </strong>
      <span class="small">
        {' '}
        · {result.checkpoints} signed checkpoints matched · checked <Ago at={checked.at} />
      </span>
    </>
  );
}
