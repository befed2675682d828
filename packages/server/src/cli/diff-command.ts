import { type Command, Option } from 'commander';
import { formatPlan, hasChanges } from '../gitops/format-plan.js';
import { submitDocuments } from '../gitops/submit-documents.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { collect } from './apply-command.js';
import { CliError } from './cli-error.js';
import { writeOut } from './output.js';

interface DiffOptions extends ServerOptions {
  readonly file: string[];
  readonly prune?: boolean;
  readonly format: 'text' | 'json';
}

/**
 * `pitboss diff -f <file|dir>… [--prune]`: what `apply` would change, writing nothing. Exit codes follow
 * `kubectl diff`, so CI can gate on drift: 0 in sync, 1 differences, 2 any error (rejected documents too —
 * they must not read as "differences").
 */
export function registerDiffCommand(program: Command): void {
  withServerOptions(
    program
      .command('diff')
      .description('show what apply would change; exit 0 in sync, 1 differences, 2 errors')
      .requiredOption('-f, --file <path>', 'file or directory; repeat for more', collect)
      .option('--prune', 'also show flags, segments and presets apply --prune would archive')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (options: DiffOptions) => {
    const client = new ApiClient(options);
    let result: Awaited<ReturnType<typeof submitDocuments>>;
    try {
      result = await submitDocuments(client, options.file, { prune: options.prune === true, dryRun: true });
    } catch (e) {
      if (e instanceof CliError && e.exitCode === 1) throw new CliError(e.message, 2);
      throw e;
    }
    const changed = hasChanges(result.plan);
    if (options.format === 'json') await writeOut(`${JSON.stringify(result.plan, null, 2)}\n`);
    else
      await writeOut(
        changed ? `${formatPlan(result.plan)}\n` : `In sync: ${result.plan.unchanged.length} unchanged.\n`,
      );
    process.exitCode = changed ? 1 : 0;
  });
}
