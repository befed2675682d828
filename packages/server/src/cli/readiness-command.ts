import { type Command, Option } from 'commander';
import { formatLine } from '../readiness/check.js';
import { fetchReadinessData } from '../readiness/fetch-readiness-data.js';
import { DEFAULT_POLICY, type ReadinessPolicy } from '../readiness/readiness-data.js';
import { runChecks } from '../readiness/run-checks.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { writeOut } from './output.js';

interface ReadinessOptions extends ServerOptions {
  readonly format: 'text' | 'json';
  readonly environment: string;
  readonly runbooks: string;
  readonly protectedTags: string;
  readonly criticalTags: string;
  readonly paymentsServices: string;
}

/**
 * `pitboss readiness`: the seed article's production checklist judged against the live configuration, one
 * line per check (`PASS|FAIL|WARN <check>: <reason>`). Exit 0 when nothing fails (warnings allowed), 1 when a
 * check fails, 2 usage, credentials or connection errors.
 */
export function registerReadinessCommand(program: Command): void {
  withServerOptions(
    program
      .command('readiness')
      .description(
        'check the live configuration against the production checklist: GitOps lock, SLO gates, hard stops, ' +
          'kill switches, owners, decision logs, four-eyes on payments, TTLs, presets, runbooks, audit',
      )
      .option('--environment <key>', 'the production environment', DEFAULT_POLICY.environment)
      .option('--runbooks <dir>', 'where the runbooks are (Markdown files)', 'docs/runbooks')
      .option(
        '--protected-tags <tags>',
        'tags the server protects (its protectedTags), comma-separated',
        DEFAULT_POLICY.protectedTags.join(','),
      )
      .option(
        '--critical-tags <tags>',
        'areas that need an ops (kill-switch) flag, comma-separated',
        DEFAULT_POLICY.criticalTags.join(','),
      )
      .option(
        '--payments-services <names>',
        'services whose rollouts are payments releases, comma-separated',
        DEFAULT_POLICY.paymentsServices.join(','),
      )
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (options: ReadinessOptions) => {
    const policy: ReadinessPolicy = {
      environment: options.environment,
      protectedTags: split(options.protectedTags),
      criticalTags: split(options.criticalTags),
      paymentsServices: split(options.paymentsServices),
    };
    const data = await fetchReadinessData(new ApiClient(options), policy, options.runbooks);
    const result = runChecks(data);
    if (options.format === 'json') await writeOut(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const { PASS, FAIL, WARN } = result.counts;
      await writeOut(
        `${result.checks.map(formatLine).join('\n')}\n\n${result.checks.length} checks: ${PASS} passed, ` +
          `${FAIL} failed, ${WARN} warning(s).\n`,
      );
    }
    if (!result.ok) process.exitCode = 1;
  });
}

function split(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
