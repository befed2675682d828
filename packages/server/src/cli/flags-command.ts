import { type Command, Option } from 'commander';
import type { ApprovalRequired } from '../approvals/gated-reply.js';
import type { FlagView } from '../flags/flag-service.js';
import type { StaleFlagReport, StaleReason } from '../flags/stale-flags.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { CliError } from './cli-error.js';
import { writeOut } from './output.js';
import { renderTable } from './table.js';

interface StaleOptions extends ServerOptions {
  readonly days: string;
  readonly format: 'text' | 'json';
}

/**
 * `pitboss flags stale [--days 30]`: flags to clean up, and why. `pitboss flags kill <flag> --env <env>
 * [--release] [--reason]`: the kill switch, from a terminal, in the middle of an incident.
 */
export function registerFlagsCommand(program: Command): void {
  const flags = program.command('flags').description('kill switches and flag housekeeping');
  registerKill(flags);
  withServerOptions(
    flags
      .command('stale')
      .description('flags past their expiry, unused for N days, or fully rolled out and unchanged for N days')
      .option('--days <n>', 'the window for unused and fully rolled out', '30')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (options: StaleOptions) => {
    const days = Number(options.days);
    if (!Number.isInteger(days) || days < 1 || days > 3650)
      throw new CliError(`--days must be a whole number from 1 to 3650, not '${options.days}'`, 2);
    const report = await new ApiClient(options).request<StaleFlagReport>(
      'GET',
      `/api/v1/flags/stale?days=${days}`,
    );
    if (options.format === 'json') return writeOut(`${JSON.stringify(report, null, 2)}\n`);
    if (report.flags.length === 0) return writeOut(`No stale flags (window ${days} days).\n`);
    const rows = report.flags.flatMap((f) =>
      f.reasons.map((r) => [f.key, f.kind, f.owner ?? '-', r.reason, explain(r)]),
    );
    const table = renderTable(['FLAG', 'KIND', 'OWNER', 'REASON', 'DETAIL'], rows, [
      'left',
      'left',
      'left',
      'left',
      'left',
    ]);
    await writeOut(`${table}\n${report.flags.length} stale flag(s), window ${days} days.\n`);
  });
}

function explain(r: StaleReason): string {
  switch (r.reason) {
    case 'expired':
      return `expired ${r.expiresAt} (${r.daysOverdue} days ago)`;
    case 'unused':
      return r.lastEvaluatedAt === null
        ? `never evaluated since created ${r.createdAt}`
        : `last evaluated ${r.lastEvaluatedAt}`;
    case 'fully_rolled_out':
      return `serves '${r.variant}' to everyone everywhere, unchanged since ${r.unchangedSince}`;
  }
}

interface KillOptions extends ServerOptions {
  readonly env: string;
  readonly release?: boolean;
  readonly reason?: string;
  readonly format: 'text' | 'json';
}

/**
 * The kill switch: on, the flag serves its off variant to every player in that environment at once, whatever its
 * rules, and passes GitOps locks. `--release` turns it off again; on a protected flag that is not kind `ops`, that
 * needs a second person's approval and the command says so.
 */
function registerKill(flags: Command): void {
  withServerOptions(
    flags
      .command('kill')
      .description('kill switch: turn a flag off in one environment at once, whatever its rules')
      .argument('<flag>')
      .requiredOption('--env <environment>', 'the environment, e.g. prod')
      .option('--release', 'turn the kill switch off again (the rules apply again)')
      .option('--reason <text>', 'why, recorded in the audit log')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text')),
  ).action(async (flag: string, options: KillOptions) => {
    const on = options.release !== true;
    const answer = await new ApiClient(options).request<KillAnswer>(
      'POST',
      `/api/v1/flags/${encodeURIComponent(flag)}/environments/${encodeURIComponent(options.env)}/kill`,
      { on, ...(options.reason ? { reason: options.reason } : {}) },
    );
    if (options.format === 'json') return writeOut(`${JSON.stringify(answer, null, 2)}\n`);
    if ('code' in answer) {
      return writeOut(
        `Sent for approval: ${answer.message} (change request ${answer.changeRequest.id}); the kill switch is still on.\n`,
      );
    }
    const config = answer.flag.environments[options.env];
    const off = config?.offVariant ?? 'off';
    await writeOut(
      on
        ? `${flag} killed in ${options.env}: every player gets '${off}', whatever the rules.\n`
        : `${flag} kill switch released in ${options.env}: its rules apply again.\n`,
    );
  });
}

type KillAnswer = FlagView | ApprovalRequired;
