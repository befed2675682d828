import type { Diagnostic } from '@pitboss/engine';
import { type Command, Option } from 'commander';
import { readDocumentSet, type SourcedDocument } from '../gitops/read-documents.js';
import type { HistoryEntry, RolloutView } from '../rollouts/rollout-view.js';
import { isSettled } from '../rollouts/rollout-view.js';
import { ApiClient, ApiError, type ServerOptions, withServerOptions } from './api-client.js';
import { collect } from './apply-command.js';
import { CliError } from './cli-error.js';
import { formatDiagnostic } from './format-diagnostics.js';
import { writeOut } from './output.js';
import { formatHistory, formatList, formatStatus } from './rollout-format.js';
import { watchRollout } from './rollout-watch.js';

interface Options extends ServerOptions {
  readonly format: 'text' | 'json';
}

const TEMPLATE_KINDS = new Set(['AnalysisTemplate', 'ClusterAnalysisTemplate']);

/**
 * `pitboss rollout start|status|watch|list|history|promote|pause|resume|abort|retry|skip`: the rollout API from
 * a terminal. Exit 0 fine, 1 the server refused the input (diagnostics placed on file lines) or, for `watch`,
 * the rollout ended Aborted; 2 usage, credentials or connection errors.
 */
export function registerRolloutCommand(program: Command): void {
  const rollout = program.command('rollout').description('start, follow and steer progressive releases');
  const cmd = (name: string, description: string) =>
    withServerOptions(
      rollout
        .command(name)
        .description(description)
        .addOption(
          new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'),
        ),
    );

  cmd('start', 'start a rollout from a file: a Rollout document and the AnalysisTemplates it uses')
    .requiredOption(
      '-f, --file <path>',
      'YAML or JSON, several documents separated by ---; repeat for more',
      collect,
    )
    .action(async (options: Options & { file: string[] }) => {
      const view = await start(new ApiClient(options), options.file);
      await print(options, view, `Started.\n${formatStatus(view)}`);
    });

  cmd('status', 'phase, step, weight and every gate with its verdict and evidence')
    .argument('<name>')
    .action(async (name: string, options: Options) => {
      const view = await new ApiClient(options).request<RolloutView>('GET', path(name));
      await print(options, view, formatStatus(view));
    });

  cmd('list', 'every rollout with its phase, step and weight').action(async (options: Options) => {
    const { rollouts } = await new ApiClient(options).request<{ rollouts: RolloutView[] }>(
      'GET',
      '/api/v1/rollouts',
    );
    await print(options, rollouts, formatList(rollouts));
  });

  cmd('history', 'starts, commands and transitions, oldest first')
    .argument('<name>')
    .option('--revision <n>', 'only this revision')
    .action(async (name: string, options: Options & { revision?: string }) => {
      const query = options.revision === undefined ? '' : `?revision=${revisionOf(options.revision)}`;
      const { entries } = await new ApiClient(options).request<{ entries: HistoryEntry[] }>(
        'GET',
        `${path(name)}/history${query}`,
      );
      await print(options, entries, formatHistory(entries));
    });

  cmd('watch', 'follow a rollout live until it is Healthy (exit 0) or Aborted (exit 1)')
    .argument('<name>')
    .action(async (name: string, options: Options) => {
      const tty = process.stdout.isTTY === true && options.format === 'text';
      const last = await watchRollout(
        options,
        name,
        (view) =>
          options.format === 'json'
            ? writeOut(`${JSON.stringify(view)}\n`)
            : writeOut(tty ? `\x1b[H\x1b[2J${formatStatus(view)}\n` : `${stamp()} ${formatStatus(view)}\n\n`),
        (view) => isSettled(view.phase),
      );
      if (last.phase === 'Aborted') process.exitCode = 1;
    });

  for (const [name, description] of [
    ['pause', 'pause where it is until resumed'],
    ['resume', 'resume a paused rollout (an operator pause, a pause step, an inconclusive analysis)'],
    ['retry', 'restart an aborted rollout from its first step, with fresh analyses'],
    ['skip', 'skip the current step'],
  ] as const) {
    cmd(name, description)
      .argument('<name>')
      .option('--reason <text>', 'why, for the audit log')
      .action((rolloutName: string, options: Options & { reason?: string }) =>
        command(options, rolloutName, name, options.reason ? { reason: options.reason } : {}),
      );
  }
  cmd('promote', 'go to the next step now (skipping a pause or an analysis); --full: straight to 100 %')
    .argument('<name>')
    .option('--full', 'promote fully: 100 % to the new version, Healthy')
    .option('--reason <text>', 'why, for the audit log')
    .action((name: string, options: Options & { full?: boolean; reason?: string }) =>
      command(options, name, 'promote', {
        ...(options.full ? { full: true } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      }),
    );
  cmd('abort', 'roll back: all traffic to the stable version')
    .argument('<name>')
    .option('--reason <text>', 'why, for the audit log and the notifications')
    .action((name: string, options: Options & { reason?: string }) =>
      command(options, name, 'abort', options.reason ? { reason: options.reason } : {}),
    );
}

async function command(options: Options, name: string, kind: string, body: object): Promise<void> {
  const { status, queued } = await new ApiClient(options).request<{ status: RolloutView; queued: boolean }>(
    'POST',
    `${path(name)}/${kind}`,
    body,
  );
  const verdict = queued
    ? `${kind}: queued; the replica driving ${name} applies it at its next tick.`
    : `${kind}: done.`;
  await print(options, { status, queued }, `${verdict}\n${formatStatus(status)}`);
}

/**
 * Reads the files, sends the Rollout and its templates, and places the server's diagnostics on the files'
 * lines (`rollout.yaml:14:9: error CONFIG_TYPE …`) as `pitboss apply` does.
 */
async function start(client: ApiClient, files: readonly string[]): Promise<RolloutView> {
  const set = await readDocumentSet(files);
  for (const d of set.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  if (set.diagnostics.some((d) => d.severity === 'error'))
    throw new CliError('the file does not parse; nothing was sent', 1);
  const rollouts = set.documents.filter((d) => kindOf(d) === 'Rollout');
  const templates = set.documents.filter((d) => TEMPLATE_KINDS.has(kindOf(d) ?? ''));
  const others = set.documents.filter((d) => !rollouts.includes(d) && !templates.includes(d));
  if (others.length > 0)
    throw new CliError(
      `${others[0]!.file}: document ${others[0]!.indexInFile + 1} is a ${kindOf(others[0]!) ?? 'document without kind'}; ` +
        '`rollout start` takes one Rollout and AnalysisTemplates (use `pitboss apply` for the rest)',
      1,
    );
  if (rollouts.length !== 1)
    throw new CliError(`expected one Rollout document, found ${rollouts.length} in ${files.join(', ')}`, 1);
  try {
    return await client.request<RolloutView>('POST', '/api/v1/rollouts', {
      rollout: rollouts[0]!.value,
      templates: templates.map((t) => t.value),
    });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'VALIDATION_FAILED' || !Array.isArray(e.details)) throw e;
    for (const d of e.details as Diagnostic[]) process.stderr.write(`${place(d, rollouts[0]!, templates)}\n`);
    throw new CliError(`VALIDATION_FAILED: ${e.serverMessage}`, 1);
  }
}

/** A diagnostic whose path starts `rollout.…` or `templates.<i>.…`, on its document's file line. */
function place(d: Diagnostic, rollout: SourcedDocument, templates: readonly SourcedDocument[]): string {
  const [head, index, ...rest] = d.path;
  if (head === 'rollout') return formatDiagnostic(rollout.locate({ ...d, path: d.path.slice(1) }));
  const template = head === 'templates' && typeof index === 'number' ? templates[index] : undefined;
  if (template) return formatDiagnostic(template.locate({ ...d, path: rest }));
  return `${d.severity} ${d.code} ${d.message}${d.path.length > 0 ? ` (at ${d.path.join('.')})` : ''}`;
}

function kindOf(d: SourcedDocument): string | undefined {
  const kind = (d.value as { kind?: unknown } | null)?.kind;
  return typeof kind === 'string' ? kind : undefined;
}

function path(name: string): string {
  return `/api/v1/rollouts/${encodeURIComponent(name)}`;
}

function revisionOf(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`--revision must be a whole number ≥ 1, not '${text}'`, 2);
  return n;
}

function stamp(): string {
  return new Date().toISOString();
}

async function print(options: Options, json: unknown, text: string): Promise<void> {
  await writeOut(options.format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}
