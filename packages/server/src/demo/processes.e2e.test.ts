import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ExitInfo, ProcessError, ProcessGroup } from './processes.js';

/**
 * Real child processes: ready lines, graceful stops, escalation to SIGKILL, process groups, and no orphans when
 * the demo itself is killed outright. The lifeline is the built one (`npm test` builds first).
 */

const DIST = fileURLToPath(new URL('../../dist/demo/', import.meta.url));
const LIFELINE = join(DIST, 'lifeline.js');
const DEADLINE_MS = 20_000;

let dir: string;
let group: ProcessGroup | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pitboss-processes-'));
});

afterEach(async () => {
  await group?.stopAll([], 2_000);
  group = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, body);
  return file;
}

/** A service-like child: some noise, a ready line with a port, then alive until SIGTERM (which it logs). */
const SERVICE = `
process.stdout.write('starting\\n');
process.stdout.write('{"ready":true,"port":' + (4000 + Number(process.argv[2] ?? 0)) + '}\\n');
const keep = setInterval(() => {}, 1000);
process.on('SIGTERM', () => { process.stdout.write('bye\\n'); clearInterval(keep); });
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${DEADLINE_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const portOf = (line: string) => {
  const m = /"port":(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
};

describe('ProcessGroup', () => {
  it('reads the ready line, logs the output and stops the child gracefully', async () => {
    group = new ProcessGroup(dir, () => {}, LIFELINE);
    const file = await script('service.mjs', SERVICE);
    const p = group.start({ name: 'svc', args: [file, '7'], ready: portOf });
    expect(await p.ready).toBe(4007);
    expect(p.alive).toBe(true);
    await group.stop(p);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const log = await readFile(join(dir, 'svc.log'), 'utf8');
    expect(log).toContain('starting');
    expect(log).toContain('bye');
    expect(group.processes).toEqual([]);
  });

  it('rejects `ready` with what the child said when it exits first, and reports the exit', async () => {
    const exits: [string, ExitInfo][] = [];
    group = new ProcessGroup(dir, (p, info) => exits.push([p.name, info]), LIFELINE);
    const file = await script('broken.mjs', `console.error('no database here'); process.exit(3);`);
    const p = group.start({ name: 'broken', args: [file], ready: portOf });
    const error = await p.ready.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProcessError);
    expect((error as ProcessError).message).toMatch(/broken: exited before it was ready \(exit code 3\)/);
    expect((error as ProcessError).tail).toEqual(['no database here']);
    expect(exits).toEqual([['broken', { code: 3, signal: null }]]);
  });

  it('gives up on a child that never gets ready', async () => {
    group = new ProcessGroup(dir, () => {}, LIFELINE);
    const file = await script('mute.mjs', `setInterval(() => {}, 1000);`);
    const p = group.start({ name: 'mute', args: [file], ready: portOf, readyTimeoutMs: 300 });
    await expect(p.ready).rejects.toThrow(/mute: not ready after 300 ms/);
  });

  it('kills a child that ignores SIGTERM once the grace period is over, and everything it started', async () => {
    group = new ProcessGroup(dir, () => {}, LIFELINE);
    const file = await script(
      'stubborn.mjs',
      `import { spawn } from 'node:child_process';
const grandchild = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
process.on('SIGTERM', () => {});
setInterval(() => {}, 1000);
process.stdout.write(JSON.stringify({ ready: true, port: 1, grandchild: grandchild.pid }) + '\\n');`,
    );
    const p = group.start({
      name: 'stubborn',
      args: [file],
      ready: (line) => (JSON.parse(line) as { grandchild: number }).grandchild,
    });
    const grandchild = await p.ready;
    expect(alive(grandchild)).toBe(true);
    await group.stop(p, 300);
    expect(await p.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await until('the grandchild is gone', () => !alive(grandchild));
  });

  it('stops every child on stopAll, the tiers first', async () => {
    group = new ProcessGroup(dir, () => {}, LIFELINE);
    const file = await script('service.mjs', SERVICE);
    const order: string[] = [];
    const started = ['a', 'b', 'c'].map((name, i) => {
      const p = group!.start({ name, args: [file, String(i)], ready: portOf });
      void p.exited.then(() => order.push(name));
      return p;
    });
    await Promise.all(started.map((p) => p.ready));
    await group.stopAll([['b']]);
    expect(order[0]).toBe('b');
    expect(order.sort()).toEqual(['a', 'b', 'c']);
    for (const p of started) expect(p.alive).toBe(false);
  });

  it('leaves no orphan when the demo is killed outright: the lifeline stops each child', async () => {
    // On SIGTERM it leaves a file behind: its stdout went to the demo, which is dead by then.
    const service = await script(
      'service.mjs',
      `import { writeFileSync } from 'node:fs';
${SERVICE}
process.on('SIGTERM', () => writeFileSync(${JSON.stringify(dir)} + '/bye-' + process.argv[2], 'bye'));`,
    );
    // A stand-in for `pitboss demo`: starts two children with the built ProcessGroup, prints their pids, waits.
    const demo = await script(
      'demo.mjs',
      `import { ProcessGroup } from ${JSON.stringify(join(DIST, 'processes.js'))};
const group = new ProcessGroup(${JSON.stringify(dir)});
const ps = [0, 1].map((i) => group.start({ name: 'child-' + i, args: [${JSON.stringify(service)}, String(i)], ready: (l) => l.includes('ready') || undefined }));
await Promise.all(ps.map((p) => p.ready));
process.stdout.write(JSON.stringify(ps.map((p) => p.pid)) + '\\n');
setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, [demo], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as number[]);
      });
      parent.once('exit', (code) => reject(new Error(`the stand-in demo exited with ${code}`)));
    });
    expect(pids.every(alive)).toBe(true);
    parent.kill('SIGKILL');
    await until('both children are gone', () => !pids.some(alive));
    // They stopped gracefully (SIGTERM from the lifeline), not killed.
    for (const i of [0, 1]) expect(await readFile(join(dir, `bye-${i}`), 'utf8')).toBe('bye');
  });
});
