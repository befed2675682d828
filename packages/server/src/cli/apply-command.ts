import { type Command, Option } from 'commander';
import { formatPlan } from '../gitops/format-plan.js';
import { submitDocuments } from '../gitops/submit-documents.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { writeOut } from './output.js';

interface ApplyOptions extends ServerOptions {
  readonly file: string[];
  readonly prune?: boolean;
  readonly dryRun?: boolean;
  readonly format: 'text' | 'json';
}

/**
 * `pitboss apply -f <file|dir>… [--prune] [--dry-run]`: makes the server's state what the documents say, in one
 * transaction, and prints the plan it carried out. Exit 0 applied, 1 rejected documents (nothing applied),
 * 2 usage, credentials or connection errors.
 */
export function registerApplyCommand(program: Command): void {
  withServerOptions(
    program
      .command('apply')
      .description('apply GitOps documents (YAML or JSON; a directory: every *.yaml, *.yml, *.json in it)')
      .requiredOption('-f, --file <path>', 'file or directory; repeat for more', collect)
      .option(
        '--prune',
        'archive flags, segments and presets the documents do not mention (never environments)',
      )
      .option('--dry-run', 'validate and print the plan; change nothing')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (options: ApplyOptions) => {
    const client = new ApiClient(options);
    const dryRun = options.dryRun === true;
    const result = await submitDocuments(client, options.file, { prune: options.prune === true, dryRun });
    if (options.format === 'json') {
      await writeOut(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const verdict = dryRun ? 'Dry run: nothing was changed.' : 'Applied.';
    await writeOut(`${formatPlan(result.plan)}\n${verdict}\n`);
  });
}

/** Commander's way to repeat an option: `-f a.yaml -f b.yaml`. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
