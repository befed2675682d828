import { ApiError } from '../api/client.js';

/** One entry of an error's `details`: a field problem or an engine diagnostic. */
interface Problem {
  readonly path?: readonly (string | number)[] | string;
  readonly field?: string;
  readonly message?: string;
  readonly code?: string;
  readonly line?: number;
  readonly column?: number;
  readonly excerpt?: string;
}

/** `['environments','prod','rules',0,'if']` → `environments.prod.rules[0].if`, as the CLI prints paths. */
export function formatProblemPath(path: Problem['path']): string | undefined {
  if (path === undefined || typeof path === 'string') return path;
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out === '' ? part : `${out}.${part}`),
    '',
  );
}

/**
 * A failed request as the server explained it: code, message, and each field problem it listed (path, line and
 * column, the engine's caret excerpt). A 409 VERSION_CONFLICT becomes "someone changed it", with a way to reload
 * when the page gives one.
 */
export function ErrorNote({ error, onReload }: { readonly error: unknown; readonly onReload?: () => void }) {
  if (error === undefined || error === null) return null;
  if (error instanceof ApiError && error.status === 409 && error.code === 'VERSION_CONFLICT') {
    return (
      <div class="error" role="alert">
        <strong>Someone else changed this since you loaded it.</strong> Your edits were not saved.{' '}
        {onReload && (
          <button type="button" class="link" onClick={onReload}>
            Reload the latest version
          </button>
        )}
      </div>
    );
  }
  const api = error instanceof ApiError ? error : undefined;
  const problems = api && Array.isArray(api.details) ? (api.details as Problem[]) : [];
  return (
    <div class="error" role="alert">
      <strong>{api ? api.code : 'Error'}</strong> {error instanceof Error ? error.message : String(error)}
      {problems.length > 0 && (
        <ul class="error-list">
          {problems.map((p, i) => (
            <li key={i}>
              <code>{formatProblemPath(p.path) ?? p.field ?? ''}</code>
              {p.line !== undefined && ` (line ${p.line}, column ${p.column})`} {p.message ?? p.code}
              {p.excerpt && <pre class="caret">{p.excerpt}</pre>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
