import type { Diagnostic } from '@pitboss/engine';
import { type ApiClient, ApiError } from '../cli/api-client.js';
import { CliError } from '../cli/cli-error.js';
import { formatDiagnostic } from '../cli/format-diagnostics.js';
import type { DocumentDiagnostic } from './document-kinds.js';
import type { ApplyResult } from './gitops-service.js';
import { type DocumentSet, readDocumentSet } from './read-documents.js';

/**
 * What `pitboss apply` and `pitboss diff` share: read the documents, refuse to send any that do not parse,
 * post them, and place every problem the server names (document index + path) on its file line and column.
 * Problems go to stderr as `file:line:col: error CODE message`; the plan is the caller's to print.
 */
export async function submitDocuments(
  client: ApiClient,
  paths: readonly string[],
  options: { readonly prune: boolean; readonly dryRun: boolean },
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<ApplyResult> {
  const set = await readDocumentSet(paths);
  const parseErrors = set.diagnostics.filter((d) => d.severity === 'error');
  for (const d of set.diagnostics) err(`${formatDiagnostic(d)}\n`);
  if (parseErrors.length > 0)
    throw new CliError(`${parseErrors.length} document(s) do not parse; nothing was sent`, 1);
  let result: ApplyResult;
  try {
    result = await client.request<ApplyResult>('POST', '/api/v1/apply', {
      documents: set.documents.map((d) => d.value),
      ...(options.prune ? { prune: true } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
    });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED' || !Array.isArray(e.details)) throw e;
    // In file order: documents were sent in order, so their index is their place in the set.
    const details = [...(e.details as DocumentDiagnostic[])].sort(
      (a, b) => (a.document ?? -1) - (b.document ?? -1),
    );
    for (const d of details) err(`${place(set, d)}\n`);
    throw new CliError(`VALIDATION_FAILED: ${e.serverMessage}`, 1);
  }
  for (const w of result.warnings) err(`${place(set, w)}\n`);
  return result;
}

/** A server diagnostic on its file's line, or under its resource when no document states it. */
function place(set: DocumentSet, d: DocumentDiagnostic): string {
  const source = d.document === undefined ? undefined : set.documents[d.document];
  if (source === undefined) {
    const where = d.resource ?? (d.document === undefined ? 'documents' : `document ${d.document}`);
    return `${where}: ${d.severity} ${d.code} ${d.message}${d.path.length > 0 ? ` (at ${d.path.join('.')})` : ''}`;
  }
  const { document: _d, kind: _k, key: _key, resource: _r, ...diagnostic } = d;
  return formatDiagnostic(source.locate(diagnostic as Diagnostic));
}
