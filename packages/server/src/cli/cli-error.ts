/**
 * An error the CLI reports as one line, without a stack trace: a missing file, a bad option value. `exitCode`
 * follows the CLI's convention: 1 for problems found in the input, 2 for usage and I/O errors.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
