import { type Command, CommanderError } from 'commander';
import { isPitbossError } from '../errors.js';
import { CliError } from './cli-error.js';

/**
 * Runs the program and turns every failure into a one-line message and an exit code: 0 fine, 1 problems found
 * in the input, 2 usage and I/O errors. A stack trace is never the answer to a bad input; set
 * `PITBOSS_DEBUG=1` to see one for a genuine bug.
 */
export async function run(program: Command, argv: readonly string[]): Promise<void> {
  // `pitboss eval ... | head` closes stdout early; that is not an error worth a trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  exitOverrideAll(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    process.exitCode = exitCodeFor(e);
  }
}

/** Subcommands copy settings when created, so the override is applied to each, however they were registered. */
function exitOverrideAll(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) exitOverrideAll(sub);
}

function exitCodeFor(e: unknown): number {
  if (e instanceof CommanderError) {
    // Commander has printed its message already; help and version are successful exits.
    return e.code === 'commander.helpDisplayed' ||
      e.code === 'commander.version' ||
      e.code === 'commander.help'
      ? 0
      : 2;
  }
  if (e instanceof CliError) {
    process.stderr.write(`pitboss: ${e.message}\n`);
    return e.exitCode;
  }
  if (isPitbossError(e)) {
    process.stderr.write(`pitboss: ${e.code}: ${e.message}\n`);
    return e.code === 'VALIDATION_FAILED' ? 1 : 2;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`pitboss: internal error: ${message}\n`);
  if (process.env.PITBOSS_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return 2;
}
