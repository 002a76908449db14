import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

let clkTck = 0;
function ticksPerSecond(): number {
  if (!clkTck) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / ticksPerSecond();
}

/** Where a thread's CPU goes: the collector's JavaScript (main thread, V8 GC/compiler helpers, libuv pool), the engine's merges, or the engine's other work (inserts, queries). */
export type ThreadGroup = 'js' | 'merges' | 'engine';

/** Thread name (from /proc/<pid>/task/<tid>/stat) → group. chDB names its threads (MergeMutate, QueryPipelineEx, ThreadPool, ...). */
export function threadGroup(name: string): ThreadGroup {
  if (/^(MainThread|node|V8 ?Worker|libuv-worker|DelayedTaskSchedu)/.test(name)) return 'js';
  if (/^MergeMutate/.test(name)) return 'merges';
  return 'engine';
}

/** CPU seconds per {@link ThreadGroup} a process's live threads have used so far (threads that exited are not counted). */
export function threadCpuSeconds(pid: number): Record<ThreadGroup, number> {
  const out: Record<ThreadGroup, number> = { js: 0, merges: 0, engine: 0 };
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[threadGroup(name)] += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
    } catch {
      // The thread has exited.
    }
  }
  return out;
}

/** Same, for a process whose threads all count as the engine's (the embedded engine process): merges apart, the rest 'engine'. */
export function engineProcessCpuSeconds(pid: number): Record<ThreadGroup, number> {
  const t = threadCpuSeconds(pid);
  return { js: 0, merges: t.merges, engine: t.engine + t.js };
}

/** Pids of a process's direct children (scans /proc/<pid>/stat for the parent pid). */
export function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent) out.push(Number(name));
    } catch {
      // Gone.
    }
  }
  return out;
}

/** Resident set size of a process in bytes, from /proc/<pid>/status. */
export function processRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's RSS every `everyMs` and keeps the peak. */
export function rssPeakSampler(pid: number, everyMs = 100): { peak(): number; stop(): void } {
  let peak = 0;
  const sample = () => {
    try {
      peak = Math.max(peak, processRssBytes(pid));
    } catch {
      // The process has exited.
    }
  };
  sample();
  const t = setInterval(sample, everyMs);
  return { peak: () => peak, stop: () => clearInterval(t) };
}

/** The machine, for result files and BENCHMARKS.md. */
export function machine(): Record<string, unknown> {
  const c = cpus();
  let load = '';
  try {
    load = readFileSync('/proc/loadavg', 'utf8').trim();
  } catch {
    // Not Linux.
  }
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadavgAtStart: load,
  };
}
