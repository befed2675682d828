// CPU time of processes from /proc (Linux), so the table can say where the 2 cores went during the timed
// windows: the proxy (nginx: master and worker), the upstreams and the load generator itself. Elsewhere the
// figures are simply absent.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node runs on

/** Fields of /proc/<pid>/stat after the `(comm)` field, which may contain spaces. */
function statFields(pid) {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** user + system CPU milliseconds of `pid` and its direct children (nginx's worker), or NaN when unknown. */
export function treeCpuMs(pid) {
  try {
    const pids = [pid];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (Number(statFields(entry)[1]) === pid) pids.push(Number(entry));
      } catch {
        // exited meanwhile
      }
    }
    let ticks = 0;
    for (const p of pids) {
      const f = statFields(p);
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of stat)
    }
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Samples the CPU time of `pids` (and of this process) now; `end()` gives each one's share of a core since. */
export function cpuWindow(pids) {
  const start = performance.now();
  const own = process.cpuUsage();
  const before = pids.map((p) => treeCpuMs(p));
  return {
    /** @returns {{ loadgen: number, byPid: number[] }} percent of one core over the window */
    end() {
      const wall = performance.now() - start;
      const ownUsed = process.cpuUsage(own);
      const percent = (ms) => Math.round((1000 * ms) / wall) / 10;
      return {
        loadgen: percent((ownUsed.user + ownUsed.system) / 1000),
        byPid: pids.map((p, i) => percent(treeCpuMs(p) - before[i])),
      };
    },
  };
}
