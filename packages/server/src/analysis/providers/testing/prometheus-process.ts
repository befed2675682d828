import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Prometheus (Debian's `prometheus` package; `.ci/run` installs it) for end-to-end tests: its own free
 * port and temporary storage, scraping the given targets every second. It never uses the packaged service or
 * port 9090, which may be running. It can be stopped and started again on the same port and storage, as an
 * outage and its end look to a client.
 */
export const PROMETHEUS = '/usr/bin/prometheus';
export const prometheusAvailable = existsSync(PROMETHEUS);
/** Whether the tests that need it run: in CI the binary must be there, so a missing one fails instead of skipping. */
export const runPrometheusTests = prometheusAvailable || Boolean(process.env.CI);
export const PROMETHEUS_SKIPPED = `SKIPPED: ${PROMETHEUS} is absent (apt-get install prometheus; .ci/run does)`;
/** How long a start (or the first scrapes) may take on a loaded machine. */
export const WAIT_MS = 60_000;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Polls `probe` every 250 ms until it answers something other than undefined; a probe that throws is retried.
 * `died` ends the wait early with its message (the process it waits for exited).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  died: () => string | undefined = () => undefined,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const exit = died();
    if (exit) throw new Error(`prometheus exited while waiting for ${what}: ${exit}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what} (${timeoutMs} ms); last problem: ${String(last)}`);
}

export interface PrometheusOptions {
  /** `host:port` of each scraped service (path `/metrics`). */
  readonly targets: readonly string[];
  readonly jobName?: string;
}

export class PrometheusProcess {
  /** Base URL of its HTTP API, e.g. `http://127.0.0.1:41234`. */
  readonly address: string;
  private child: ChildProcess | undefined;
  private stopping = false;
  private exitReason: string | undefined;
  private stderr = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.address = `http://127.0.0.1:${port}`;
  }

  /** Writes the configuration, starts Prometheus and waits until it is ready. */
  static async start(options: PrometheusOptions): Promise<PrometheusProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'pitboss-prometheus-'));
    const targets = options.targets.map((t) => `'${t}'`).join(', ');
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        `  - job_name: ${options.jobName ?? 'pitboss-e2e'}`,
        '    static_configs:',
        `      - targets: [${targets}]`,
        '',
      ].join('\n'),
    );
    const prometheus = new PrometheusProcess(dir, await freePort());
    try {
      await prometheus.restart();
    } catch (e) {
      await prometheus.close();
      throw e;
    }
    return prometheus;
  }

  /** Why the process exited when nobody stopped it (undefined while it runs, or after `stop`). */
  get exited(): string | undefined {
    return this.exitReason;
  }

  get running(): boolean {
    const c = this.child;
    return c !== undefined && c.exitCode === null && c.signalCode === null;
  }

  /** Starts it (again) on the same port and storage, and waits until it is ready. */
  async restart(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    this.exitReason = undefined;
    const child = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--log.level=warn',
      ],
      // Its own process group, so `stop` can end it and anything it started.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    child.stderr?.on('data', (b: Buffer) => {
      this.stderr = (this.stderr + b.toString()).slice(-4_000);
    });
    child.on('error', (e) => {
      if (!this.stopping) this.exitReason ??= `cannot start ${PROMETHEUS}: ${e.message}`;
    });
    child.on('exit', (code, signal) => {
      if (!this.stopping) this.exitReason ??= `exit code ${code}, signal ${signal}; stderr: ${this.stderr}`;
    });
    await waitFor(
      'readiness',
      async () => ((await fetch(`${this.address}/-/ready`)).ok ? true : undefined),
      () => this.exitReason,
    );
  }

  /** SIGTERM to its process group (SIGKILL after 10 s); resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.stopping = true;
    if (child?.pid === undefined || !this.running) return;
    const pid = child.pid;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(-pid, s);
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const killer = setTimeout(() => signal('SIGKILL'), 10_000);
    await gone;
    clearTimeout(killer);
  }

  /** Stops it and removes its storage. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
