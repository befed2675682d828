// Runs the built dist (npm run build first), as `pitboss demo` does: one process per service and version.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { get, post } from './testing/start-platform.js';

const RUN_SERVICE = fileURLToPath(new URL('../../../dist/demo/platform/run-service.js', import.meta.url));

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(
  args: string[],
  stdin: 'ignore' | 'pipe' = 'ignore',
): {
  child: ChildProcess;
  ready: Promise<Record<string, unknown>>;
  exit: Promise<number>;
} {
  const child = spawn(process.execPath, [RUN_SERVICE, ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] as string) as Record<string, unknown>);
    });
    child.once('exit', () => reject(new Error(`exited before ready: ${err}`)));
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  ready.catch(() => undefined); // awaited only by the tests that expect readiness
  const exit = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { child, ready, exit };
}

describe('run-service', () => {
  it('two wallet processes (v1, v2) share one ledger: a key credits once, withdrawals never overdraw', async () => {
    const data = mkdtempSync(join(tmpdir(), 'pitboss-run-service-'));
    dirs.push(data);
    const common = [
      '--service',
      'wallet',
      '--scenario',
      'psp-failure',
      '--port',
      '0',
      '--data',
      data,
      '--seed',
      '4',
    ];
    const v1 = run([...common, '--version', 'v1']);
    const v2 = run([...common, '--version', 'v2', '--latency-scale', '0.05']);
    const [r1, r2] = await Promise.all([v1.ready, v2.ready]);
    expect(r1).toEqual({ ready: true, service: 'wallet', version: 'v1', port: expect.any(Number) });
    expect(r2).toMatchObject({ ready: true, version: 'v2' });
    const urls = [`http://127.0.0.1:${r1?.port}`, `http://127.0.0.1:${r2?.port}`];

    // Each key is sent 3 times to each process at once (PSP A: no fault in this scenario).
    const sends = [];
    for (let k = 0; k < 20; k++) {
      for (let i = 0; i < 6; i++) {
        const body = { playerId: `p${k % 4}`, amount: 1000, psp: 'A', idempotencyKey: `key-${k}` };
        sends.push(post(`${urls[i % 2]}/wallet/deposit`, body));
      }
    }
    const answers = await Promise.all(sends);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = new Map<string, Set<unknown>>();
    answers.forEach((a, i) => {
      const key = `key-${Math.floor(i / 6)}`;
      ids.set(key, (ids.get(key) ?? new Set()).add(a.body.depositId));
    });
    expect([...ids.values()].every((s) => s.size === 1)).toBe(true);
    expect((await get(`${urls[0]}/wallet/balance?playerId=p0`)).body.balance).toBe(5000);

    // p0 holds 5000: 40 concurrent withdrawals of 300 from both processes, at most 16 can succeed.
    const wds = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(`${urls[i % 2]}/wallet/withdraw`, { playerId: 'p0', amount: 300, idempotencyKey: `w-${i}` }),
      ),
    );
    expect(wds.filter((w) => w.status === 200)).toHaveLength(16);
    expect(wds.filter((w) => w.status === 409).every((w) => w.body.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect((await get(`${urls[1]}/wallet/balance?playerId=p0`)).body.balance).toBe(200);
    const check = await get(`${urls[1]}/wallet/ledger/check`);
    expect(check.body).toMatchObject({
      balanced: true,
      entries: 20 + 16,
      duplicateKeys: 0,
      negativeBalances: 0,
    });

    v1.child.kill('SIGTERM');
    v2.child.kill('SIGINT');
    expect(await v1.exit).toBe(0);
    expect(await v2.exit).toBe(0);
  });

  it('refuses bad options with exit code 2', async () => {
    const bad = run(['--service', 'casino', '--version', 'v1']);
    await expect(bad.ready).rejects.toThrow(/--service must be/);
    expect(await bad.exit).toBe(2);
    const noVersion = run(['--service', 'auth', '--scenario', 'meltdown']);
    expect(await noVersion.exit).toBe(2);
  });

  it('--exit-on-stdin-close stops the service when its parent goes away', async () => {
    const game = run(['--service', 'game-gateway', '--version', 'v2', '--exit-on-stdin-close'], 'pipe');
    expect(await game.ready).toMatchObject({ service: 'game-gateway', version: 'v2' });
    game.child.stdin?.end();
    expect(await game.exit).toBe(0);
  });
});
