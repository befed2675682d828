import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { CliError } from './cli-error.js';
import { writeOut } from './output.js';

interface ExportOptions extends ServerOptions {
  readonly output?: string;
}

/**
 * `pitboss export [-o file]`: the server's state as multi-document YAML (environments, segments, flags) — a
 * starting point for a GitOps repository; `pitboss diff -f` on it reports no differences.
 */
export function registerExportCommand(program: Command): void {
  withServerOptions(
    program
      .command('export')
      .description('print the current state as GitOps documents (YAML)')
      .option('-o, --output <file>', 'write to this file instead of stdout'),
  ).action(async (options: ExportOptions) => {
    const client = new ApiClient(options);
    const { documents, version } = await client.request<{ documents: unknown[]; version: number }>(
      'GET',
      '/api/v1/export',
    );
    const text = `${toYaml(documents, `# pitboss export of ${client.url} at version ${version}`)}`;
    if (options.output === undefined) return writeOut(text);
    try {
      await writeFile(options.output, text);
    } catch (e) {
      throw new CliError(`cannot write ${options.output}: ${(e as Error).message}`, 2);
    }
  });
}

/**
 * Documents as a YAML stream. Long expressions stay on one line (no folding), so a rule reads as written and
 * diffs line by line. Scalars are quoted as YAML 1.1 needs (`"on"`, `"yes"`), so 1.1 tools (yamllint, older
 * parsers) read the same strings as Pitboss's YAML 1.2 reader.
 */
export function toYaml(documents: readonly unknown[], header: string): string {
  const body = documents.map((d) => stringify(d, { lineWidth: 0, version: '1.1' })).join('---\n');
  return `${header}\n${body}`;
}
