import { type Command, Option } from 'commander';
import type { StaleFlagReport, StaleReason } from '../flags/stale-flags.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { CliError } from './cli-error.js';
import { writeOut } from './output.js';
import { renderTable } from './table.js';

interface StaleOptions extends ServerOptions {
  readonly days: string;
  readonly format: 'text' | 'json';
}

/** `pitboss flags stale [--days 30] [--format text|json]`: flags to clean up, and why. */
export function registerFlagsCommand(program: Command): void {
  const flags = program.command('flags').description('flag housekeeping');
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
