import { ApiError } from '../api/client.js';

interface FieldProblem {
  readonly path?: string;
  readonly field?: string;
  readonly message?: string;
  readonly code?: string;
}

/** A failed request as the server explained it: code, message, and each field problem it listed. */
export function ErrorNote({ error }: { readonly error: unknown }) {
  if (error === undefined || error === null) return null;
  const api = error instanceof ApiError ? error : undefined;
  const problems = api && Array.isArray(api.details) ? (api.details as FieldProblem[]) : [];
  return (
    <div class="error" role="alert">
      <strong>{api ? api.code : 'Error'}</strong> {error instanceof Error ? error.message : String(error)}
      {problems.length > 0 && (
        <ul class="error-list">
          {problems.map((p, i) => (
            <li key={i}>
              {(p.path ?? p.field) ? <code>{p.path ?? p.field}</code> : null} {p.message ?? p.code}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
