import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Preloaded into each child: it stops itself when the demo's end of its stdin closes (lifeline.ts). */
export const LIFELINE: string = fileURLToPath(new URL('./lifeline.js', import.meta.url));

/** Lines of each child's output kept in memory, to say why it failed. */
const TAIL_LINES = 30;

export interface ProcessSpec<T> {
  /** Shown in messages and used for the log file: `wallet-v2`, `gateway`, `control-plane`. */
  readonly name: string;
  /** Arguments to node: the script, then its options. */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Reads one line of the child's stdout; the first defined answer resolves `ready` (the child listens). Lines
   * are read whole, so a JSON log line is never seen cut in two.
   */
  readonly ready: (line: string) => T | undefined;
  /** How long the child may take to print its ready line. */
  readonly readyTimeoutMs?: number;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** An error saying which process failed, and what it printed last. */
export class ProcessError extends Error {
  constructor(
    readonly process: string,
    message: string,
    readonly tail: readonly string[],
  ) {
    super(`${process}: ${message}${tail.length > 0 ? `\n    ${tail.join('\n    ')}` : ''}`);
    this.name = 'ProcessError';
  }
}

/**
 * A child process of the demo, leader of its own process group (`detached`): the terminal's Ctrl-C reaches only
 * the demo, which then stops its children in order, and a stop signal reaches everything the child started.
 * stdout and stderr are appended to `<logDir>/<name>.log`.
 */
export class ManagedProcess<T> {
  readonly ready: Promise<T>;
  readonly exited: Promise<ExitInfo>;
  private readonly tailLines: string[] = [];
  private exitInfo: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;
  private expectedExit = false;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
    spec: ProcessSpec<T>,
    onUnexpectedExit: (p: ManagedProcess<unknown>, info: ExitInfo) => void,
  ) {
    this.exited = new Promise((resolve) => {
      const finish = (info: ExitInfo) => {
        if (this.exitInfo) return;
        this.exitInfo = info;
        if (!this.expectedExit) onUnexpectedExit(this as ManagedProcess<unknown>, info);
        resolve(info);
      };
      // 'close', not 'exit': the child's last output is in the log by then.
      child.once('close', (code, signal) => finish({ code, signal }));
      // A child that could not be spawned at all emits 'error' and never 'exit'.
      child.once('error', (e) => {
        this.tailLines.push(`spawn failed: ${e.message}`);
        if (child.pid === undefined) finish({ code: null, signal: null });
      });
    });
    this.ready = this.waitReady(spec);
    // A ready failure is reported through `ready`; nobody may be awaiting it yet.
    this.ready.catch(() => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined && this.child.pid !== undefined;
  }

  /** The last lines the child printed (stdout and stderr). */
  tail(): readonly string[] {
    return [...this.tailLines];
  }

  /**
   * SIGTERM to the child's process group, then SIGKILL if it has not exited after `graceMs`. Resolves once it
   * exited; calling it again returns the same promise.
   */
  stop(graceMs = 10_000): Promise<void> {
    this.expectedExit = true;
    if (!this.stopping) {
      this.stopping = (async () => {
        if (this.alive) {
          signalGroup(this.child, 'SIGTERM');
          const timer = setTimeout(() => signalGroup(this.child, 'SIGKILL'), graceMs);
          await this.exited;
          clearTimeout(timer);
        }
        this.child.stdin?.destroy();
        await new Promise<void>((resolve) => this.log.end(resolve));
      })();
    }
    return this.stopping;
  }

  /** Last resort on the way out of the demo (process 'exit' handlers run synchronously). */
  killNow(): void {
    this.expectedExit = true;
    if (this.alive) signalGroup(this.child, 'SIGKILL');
  }

  private waitReady(spec: ProcessSpec<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timeoutMs = spec.readyTimeoutMs ?? 60_000;
      const timer = setTimeout(
        () =>
          settle(() => reject(new ProcessError(this.name, `not ready after ${timeoutMs} ms`, this.tail()))),
        timeoutMs,
      );
      this.exited.then((info) =>
        settle(() =>
          reject(
            new ProcessError(this.name, `exited before it was ready (${describeExit(info)})`, this.tail()),
          ),
        ),
      );
      this.readLines(this.child.stdout, (line) => {
        if (settled) return;
        let value: T | undefined;
        try {
          value = spec.ready(line);
        } catch {
          value = undefined;
        }
        if (value !== undefined) settle(() => resolve(value as T));
      });
      this.readLines(this.child.stderr, () => {});
    });
  }

  private readLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
    if (!stream) return;
    let buffer = '';
    stream.on('data', (chunk: Buffer) => {
      this.log.write(chunk);
      buffer += chunk.toString('utf8');
      let end = buffer.indexOf('\n');
      while (end >= 0) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        this.tailLines.push(line);
        if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
        onLine(line);
        end = buffer.indexOf('\n');
      }
    });
  }
}

/**
 * The demo's children. Started in dependency order, stopped in reverse (traffic sources first), each one given
 * time to finish gracefully. A child that dies on its own is reported through `onUnexpectedExit`; on the demo's
 * own exit, whatever is still running is killed, and a demo killed outright leaves its children to the lifeline.
 */
export class ProcessGroup {
  private readonly started: ManagedProcess<unknown>[] = [];
  private readonly onExit = () => {
    for (const p of this.started) p.killNow();
  };

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (p: ManagedProcess<unknown>, info: ExitInfo) => void = () => {},
    /** The built lifeline.js (tests running the TypeScript sources point at dist/). */
    private readonly lifeline: string = LIFELINE,
  ) {
    process.on('exit', this.onExit);
  }

  /** Spawns `node --import lifeline <args>`; await `ready` on the answer to know it listens. */
  start<T>(spec: ProcessSpec<T>): ManagedProcess<T> {
    const child = spawn(process.execPath, ['--import', pathToFileURL(this.lifeline).href, ...spec.args], {
      cwd: spec.cwd ?? process.cwd(),
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The pipe's other end is the lifeline; an EPIPE on it (child gone) is not the demo's problem.
    child.stdin?.on('error', () => {});
    const log = createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    const managed = new ManagedProcess(spec.name, child, log, spec, this.onUnexpectedExit);
    this.started.push(managed as ManagedProcess<unknown>);
    return managed;
  }

  /** Running children, oldest first. */
  get processes(): readonly ManagedProcess<unknown>[] {
    return this.started.filter((p) => p.alive);
  }

  /** Stops one child and forgets it (a v2 build replaced by another). */
  async stop(p: ManagedProcess<unknown>, graceMs?: number): Promise<void> {
    await p.stop(graceMs);
    const i = this.started.indexOf(p);
    if (i >= 0) this.started.splice(i, 1);
  }

  /**
   * Stops every child, the latest started first, tier by tier: `tiers` lists names stopped together (and before
   * the rest), e.g. the control plane, then the gateway, then the services in parallel.
   */
  async stopAll(tiers: readonly (readonly string[])[] = [], graceMs?: number): Promise<void> {
    for (const tier of tiers) {
      await Promise.all(this.started.filter((p) => tier.includes(p.name)).map((p) => p.stop(graceMs)));
    }
    await Promise.all([...this.started].reverse().map((p) => p.stop(graceMs)));
    this.started.length = 0;
    process.off('exit', this.onExit);
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid signals the whole group the detached child leads.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

export function describeExit(info: ExitInfo): string {
  return info.signal ? `signal ${info.signal}` : `exit code ${info.code}`;
}

/** The built `pitboss` CLI and the platform service runner, next to this file in dist/. */
export const PITBOSS_BIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
export const RUN_SERVICE = fileURLToPath(new URL('./platform/run-service.js', import.meta.url));
