/**
 * @pitboss/server — the Pitboss control plane and the `pitboss` CLI. For now it exposes the config-file layer the
 * CLI is built on, so the server (and tools) read files and report problems exactly as `pitboss validate` does.
 */
export { CliError } from './cli/cli-error.js';
export {
  type FileDiagnostic,
  type Format,
  formatOf,
  parseSource,
  readDocument,
  type SourceDocument,
} from './cli/document.js';
export { formatDiagnostic, formatSummary, mergeEnvironments } from './cli/format-diagnostics.js';
export { type LoadedConfig, loadConfigFile } from './cli/load-config-file.js';
