import { type Command, Option } from 'commander';
import { CliError } from './cli-error.js';
import type { FileDiagnostic } from './document.js';
import { formatDiagnostic, formatSummary, mergeEnvironments, toJsonReport } from './format-diagnostics.js';
import { loadConfigFile } from './load-config-file.js';
import { writeOut } from './output.js';

interface ValidateOptions {
  readonly format: 'text' | 'json';
}

/**
 * `pitboss validate <file...> [--format text|json]`: every problem of every file, then a summary. Exit code 1
 * when any file has an error (warnings alone pass), 2 when a file cannot be read.
 */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('check config files (JSON or YAML) and print every problem with its file line and column')
    .argument('<file...>', 'config files')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (files: string[], options: ValidateOptions) => {
      process.exitCode = await validate(files, options);
    });
}

async function validate(files: readonly string[], options: ValidateOptions): Promise<number> {
  const all: FileDiagnostic[] = [];
  let unreadable = false;
  for (const file of files) {
    try {
      const loaded = await loadConfigFile(file);
      all.push(...loaded.diagnostics);
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      // Report and go on: the other files still deserve a verdict.
      process.stderr.write(`pitboss: ${e.message}\n`);
      unreadable = true;
    }
  }
  if (options.format === 'json') {
    await writeOut(`${toJsonReport(all)}\n`);
  } else {
    const merged = mergeEnvironments(all);
    const lines = merged.map(formatDiagnostic);
    lines.push(formatSummary(merged, files.length));
    await writeOut(`${lines.join('\n')}\n`);
  }
  if (unreadable) return 2;
  return all.some((d) => d.severity === 'error') ? 1 : 0;
}
