import type { EvaluationResult } from '@pitboss/engine';
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import { evalContextsFile, summariseContextsFile } from './eval-contexts.js';
import { type Evaluator, toExplainedRecord, toRecord } from './eval-output.js';
import { formatDiagnostic, mergeEnvironments } from './format-diagnostics.js';
import { parseJsonObject } from './json-input.js';
import { type LoadedConfig, loadConfigFile } from './load-config-file.js';
import { writeOut } from './output.js';

interface EvalOptions {
  readonly config: string;
  readonly flag: string;
  readonly env: string;
  readonly context?: string;
  readonly contexts?: string;
  readonly explain?: boolean;
  readonly summary?: boolean;
  readonly by?: string;
}

/**
 * `pitboss eval --config <file> --flag <key> [--env prod] (--context <json> | --contexts <file.jsonl>)`: what a
 * flag answers for a player, or for a file of players (one JSON line each, or `--summary` tables).
 */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate a flag for one context or a JSONL file of contexts')
    .requiredOption('--config <file>', 'config file (JSON or YAML)')
    .requiredOption('--flag <key>', 'flag key')
    .option('--env <env>', 'environment', 'prod')
    .option('--context <json>', 'one context as a JSON object')
    .option('--contexts <file>', "JSONL file of contexts, one per line ('-' for stdin)")
    .option('--explain', 'add the rule-by-rule explanation')
    .option(
      '--summary',
      'with --contexts: print counts by variant and reason instead of one line per context',
    )
    .option('--by <attribute>', 'with --summary: a breakdown per value of this attribute path (e.g. market)')
    .action(async (options: EvalOptions) => {
      process.exitCode = await runEval(options);
    });
}

async function runEval(o: EvalOptions): Promise<number> {
  if ((o.context === undefined) === (o.contexts === undefined))
    throw new CliError('give either --context <json> or --contexts <file.jsonl>');
  if ((o.summary || o.by !== undefined) && o.contexts === undefined)
    throw new CliError('--summary and --by need --contexts');
  if (o.explain && (o.summary || o.by !== undefined))
    throw new CliError('--explain cannot be combined with --summary');
  // Check the context before loading the config: a typo in it is the cheapest mistake to report.
  const single = o.context === undefined ? undefined : parseJsonObject(o.context);
  if (single && !single.ok) throw new CliError(`--context is not valid JSON: ${single.message}`);

  const loaded = await loadConfigFile(o.config);
  if (loaded.diagnostics.length > 0) {
    process.stderr.write(`${mergeEnvironments(loaded.diagnostics).map(formatDiagnostic).join('\n')}\n`);
  }
  const evaluator = evaluatorFor(loaded, o.flag, o.env);
  const flagBroken =
    loaded.config === undefined ||
    loaded.diagnostics.some((d) => d.severity === 'error' && d.flag === o.flag);

  if (single?.ok) {
    const record = o.explain
      ? toExplainedRecord(o.flag, o.env, evaluator.explain(single.value))
      : toRecord(o.flag, o.env, evaluator.evaluate(single.value));
    await writeOut(`${JSON.stringify(record, null, 2)}\n`);
    return flagBroken || record.reason === 'ERROR' ? 1 : 0;
  }
  const file = o.contexts!;
  const stats =
    o.summary || o.by !== undefined
      ? await summariseContextsFile(evaluator, file, o.by)
      : await evalContextsFile(evaluator, file, o.explain === true);
  return flagBroken || stats.invalid > 0 || stats.errors > 0 ? 1 : 0;
}

/**
 * The flag's evaluator. An unknown flag or environment is a usage error (exit 2) rather than a million
 * `FLAG_NOT_FOUND` lines; a file that does not parse at all answers `PARSE_ERROR`, as an SDK would see it.
 */
function evaluatorFor(loaded: LoadedConfig, flag: string, env: string): Evaluator {
  const config = loaded.config;
  if (config === undefined) {
    const result: EvaluationResult = Object.freeze({
      value: undefined,
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'PARSE_ERROR',
      errorMessage: `${loaded.file} cannot be parsed`,
    });
    return { flag, env, evaluate: () => result, explain: () => ({ result, rules: [] }) };
  }
  if (config.flag(flag) === undefined) {
    throw new CliError(`no flag '${flag}' in ${loaded.file}; flags: ${config.keys().join(', ') || '(none)'}`);
  }
  if (!config.model.environments.includes(env)) {
    throw new CliError(
      `no environment '${env}' in ${loaded.file}; environments: ${config.model.environments.join(', ')}`,
    );
  }
  return {
    flag,
    env,
    evaluate: (ctx) => config.evaluate(flag, env, ctx),
    explain: (ctx) => config.explain(flag, env, ctx),
  };
}
