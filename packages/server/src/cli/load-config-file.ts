import { type CompiledConfig, compile } from '@pitboss/engine';
import { type FileDiagnostic, readDocument } from './document.js';
import { byPosition } from './format-diagnostics.js';

/** A config file compiled, with every problem — parse and engine — placed on the file's lines. */
export interface LoadedConfig {
  readonly file: string;
  /** Undefined when the file could not be parsed at all. */
  readonly config: CompiledConfig | undefined;
  /** Sorted by position in the file. */
  readonly diagnostics: readonly FileDiagnostic[];
}

/**
 * Reads, parses and compiles a config file. Throws only `CliError` (unreadable file); a file with errors still
 * compiles, and its broken flags answer `ERROR` / `PARSE_ERROR`.
 */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  const doc = await readDocument(file);
  if (doc.value === undefined) return { file, config: undefined, diagnostics: doc.diagnostics };
  const { config, diagnostics } = compile(doc.value);
  const placed = [...doc.diagnostics, ...diagnostics.map((d) => doc.locate(d))].sort(byPosition);
  return { file, config, diagnostics: placed };
}
