import type { Command } from 'commander';
import { CliError } from './cli-error.js';

/** `--url` and `--token` as commander parses them. */
export interface ServerOptions {
  readonly url: string;
  readonly token?: string;
}

/** Adds `--url` (default `$PITBOSS_URL`, else http://localhost:4242) and `--token` (default `$PITBOSS_TOKEN`). */
export function withServerOptions(command: Command): Command {
  return command
    .option(
      '--url <url>',
      'control plane URL ($PITBOSS_URL)',
      process.env.PITBOSS_URL ?? 'http://localhost:4242',
    )
    .option('--token <token>', 'API token ($PITBOSS_TOKEN)', process.env.PITBOSS_TOKEN);
}

/** Codes that mean "check your credentials or the server", not "fix your input": exit 2 like usage errors. */
const NOT_THE_INPUT = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL']);

/**
 * An error answer of the API, `{ id, code, message, details? }`, shown as `pitboss: CODE: message` and the
 * fields it names. Exit code 1 when the server rejected the input, 2 for credentials and server trouble.
 */
export class ApiError extends CliError {
  constructor(
    readonly code: string,
    readonly serverMessage: string,
    readonly details: unknown,
    readonly status: number,
  ) {
    super(
      `${code}: ${serverMessage}${detailLines(details)}`,
      NOT_THE_INPUT.has(code) || status >= 500 ? 2 : 1,
    );
    this.name = 'ApiError';
  }
}

/**
 * A small client of the control plane's JSON API over Node's global fetch. It never throws anything but
 * `CliError`, so the CLI prints one line and no stack trace whatever the network does.
 */
export class ApiClient {
  private readonly base: string;

  constructor(private readonly options: ServerOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  get url(): string {
    return this.base;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (!this.options.token) throw new CliError('no API token: pass --token or set PITBOSS_TOKEN', 2);
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        `cannot reach ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
        2,
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new CliError(
        `${this.base} answered ${res.status} with something that is not JSON; is it Pitboss?`,
        2,
      );
    }
    if (res.ok) return json as T;
    const e = (json ?? {}) as { code?: unknown; message?: unknown; details?: unknown };
    throw new ApiError(
      typeof e.code === 'string' ? e.code : `HTTP_${res.status}`,
      typeof e.message === 'string' ? e.message : res.statusText,
      e.details,
      res.status,
    );
  }
}

/** The fields an error's details name, one per line: `  rules.0.if: expected a value`. */
function detailLines(details: unknown): string {
  if (!Array.isArray(details)) return '';
  const lines = details.slice(0, 20).map((d: { path?: unknown; message?: unknown }) => {
    const path = Array.isArray(d?.path) && d.path.length > 0 ? `${d.path.join('.')}: ` : '';
    return `\n  ${path}${typeof d?.message === 'string' ? d.message : JSON.stringify(d)}`;
  });
  return lines.join('') + (details.length > 20 ? `\n  … and ${details.length - 20} more` : '');
}
