import { useState } from 'preact/hooks';
import { ErrorNote } from './components/error-note.js';

/** Sign-in with an API token (`pb_api_…`); the token's role decides what the console shows and enables. */
export function SignInPage({ onSignIn }: { readonly onSignIn: (token: string) => Promise<void> }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSignIn(token);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Pitboss console</h1>
        <p class="muted">Sign in with an API token. Its role decides what you can change.</p>
        <label for="token">API token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder="pb_api_…"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          required
          autofocus
        />
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="muted small">
          Tokens come from <code>pitboss server</code>'s first start, <code>npm start</code>'s banner, or{' '}
          <code>POST /api/v1/tokens</code>. The token stays in this tab only.
        </p>
      </form>
    </main>
  );
}
