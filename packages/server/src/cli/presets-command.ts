import { type Command, Option } from 'commander';
import type { ApprovalRequired } from '../approvals/gated-reply.js';
import type { PresetDiff } from '../presets/preset.js';
import type { PresetApplied, PresetDryRun } from '../presets/preset-service.js';
import { ApiClient, type ServerOptions, withServerOptions } from './api-client.js';
import { writeOut } from './output.js';
import { renderTable } from './table.js';

interface Options extends ServerOptions {
  readonly format: 'text' | 'json';
}

interface PresetListItem {
  readonly preset: {
    readonly key: string;
    readonly description?: string;
    readonly emergency?: boolean;
    readonly protected?: boolean;
  };
  readonly version: number;
}

/**
 * `pitboss presets list | diff <key> | apply <key> [--reason]`: the incident-time presets ("return old payment")
 * from a terminal. Exit 0 applied (or sent for approval, which it says), 1 refused input, 2 credentials or server.
 */
export function registerPresetsCommand(program: Command): void {
  const presets = program
    .command('presets')
    .description('named bundles of flag states: list, preview, apply');
  const cmd = (name: string, description: string) =>
    withServerOptions(
      presets
        .command(name)
        .description(description)
        .addOption(
          new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
        ),
    );

  cmd('list', 'every preset, emergency ones first').action(async (options: Options) => {
    const { presets: list } = await new ApiClient(options).request<{ presets: PresetListItem[] }>(
      'GET',
      '/api/v1/presets',
    );
    const sorted = [...list].sort(
      (a, b) =>
        Number(b.preset.emergency ?? false) - Number(a.preset.emergency ?? false) ||
        a.preset.key.localeCompare(b.preset.key),
    );
    if (options.format === 'json') return writeOut(`${JSON.stringify(sorted, null, 2)}\n`);
    const rows = sorted.map((p) => [
      p.preset.key,
      [p.preset.emergency ? 'emergency' : '', p.preset.protected ? 'protected' : '']
        .filter(Boolean)
        .join(' '),
      p.preset.description ?? '',
    ]);
    await writeOut(`${renderTable(['PRESET', 'FLAGS', 'DESCRIPTION'], rows, ['left', 'left', 'left'])}\n`);
  });

  cmd('diff', 'what applying would change, before → after (changes nothing)')
    .argument('<key>')
    .action(async (key: string, options: Options) => {
      const dryRun = await new ApiClient(options).request<PresetDryRun>('POST', `${path(key)}/diff`, {});
      if (options.format === 'json') return writeOut(`${JSON.stringify(dryRun, null, 2)}\n`);
      const problems = dryRun.problems.map(
        (p) => `  cannot reach ${p.flag}${p.environment ? ` in ${p.environment}` : ''}: ${p.message}\n`,
      );
      await writeOut(
        `${formatDiff(dryRun.changes) || 'Nothing to change: the flags are already so.\n'}${problems.join('')}`,
      );
    });

  cmd('apply', 'apply every state in one transaction (emergency presets need no approval)')
    .argument('<key>')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (key: string, options: Options & { reason?: string }) => {
      const api = new ApiClient(options);
      // The diff first, so the terminal shows what this changed: the apply answer lists flags, not fields.
      const dryRun = await api.request<PresetDryRun>('POST', `${path(key)}/diff`, {});
      const answer = await api.request<PresetApplied | ApprovalRequired>(
        'POST',
        `${path(key)}/apply`,
        options.reason ? { reason: options.reason } : {},
      );
      if (options.format === 'json') return writeOut(`${JSON.stringify(answer, null, 2)}\n`);
      if ('code' in answer) {
        return writeOut(
          `Sent for approval: ${answer.message} (change request ${answer.changeRequest.id}); nothing changed yet.\n`,
        );
      }
      const changed = answer.flags.map((f) => f.flag.key);
      await writeOut(
        changed.length === 0
          ? `Applied ${key}: nothing to change, the flags were already so.\n`
          : `Applied ${key}${answer.emergency ? ' (emergency)' : ''}: ${changed.join(', ')}.\n${formatDiff(dryRun.changes)}`,
      );
    });
}

/** `  payments_v2 prod killSwitch: false → true`, one line per field. */
export function formatDiff(changes: PresetDiff): string {
  const lines: string[] = [];
  for (const [flag, envs] of Object.entries(changes))
    for (const [env, fields] of Object.entries(envs))
      for (const [field, { before, after }] of Object.entries(fields))
        lines.push(
          `  ${flag} ${env} ${field}: ${JSON.stringify(before ?? null)} → ${JSON.stringify(after)}\n`,
        );
  return lines.join('');
}

function path(key: string): string {
  return `/api/v1/presets/${encodeURIComponent(key)}`;
}
