import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/client.js';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly confirmLabel: string;
  /** Red confirm button: kill switches, aborts. */
  readonly danger?: boolean;
  /** Runs the action; the dialog stays open and shows the error if it throws. */
  readonly onConfirm: () => Promise<void>;
  readonly onClose: () => void;
}

/**
 * A modal confirmation on the native <dialog>: focus moves into it and returns on close, Escape cancels, Tab
 * stays inside (the browser's modal dialog does all three). The cancel button has focus first, so a stray Enter
 * never fires a kill switch.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onConfirm();
      props.onClose();
    } catch (e) {
      setError(describeError(e));
      setBusy(false);
    }
  };
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) props.onClose();
      }}
    >
      <h2 id="dialog-title">{props.title}</h2>
      <div class="dialog-body">{props.children}</div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" autofocus onClick={props.onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'danger' : 'primary'} onClick={confirm} disabled={busy}>
          {busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
