/**
 * What the bench reads about other processes from Linux's /proc: the process tree (to find the
 * workerd child of the Worker process), resident memory (VmRSS now, VmHWM = the kernel's own peak)
 * and the bytes a process has written (wchar, which counts socket writes too).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** How often the RSS sampler looks: fine enough to catch a sliver window being filled. */
export const RSS_SAMPLE_INTERVAL_MS = 50;
const KIB = 1024;

/** Parent pid of `pid` from /proc/<pid>/stat, or undefined once the process is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: parse after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Linux's USER_HZ, the unit of utime/stime in /proc/<pid>/stat, on every mainstream arch. */
const CLOCK_TICKS_PER_S = 100;

/** CPU time (user + system) `pid` has used, or 0 once it is gone. */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "(comm) ", utime and stime are the 12th and 13th fields (14 and 15 of the whole line).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

/** Every live descendant of `rootPid` (children, grandchildren, …). */
export function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The executable's short name (`comm`), or undefined once the process is gone. */
export function commandNameOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs (a zombie, exited but not yet reaped by its parent, does not). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export interface Memory {
  readonly rssBytes: number;
  /** The kernel's high-water mark of RSS since the process started. */
  readonly hwmBytes: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (match === null) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * KIB;
  };
  return { rssBytes: field('VmRSS'), hwmBytes: field('VmHWM') };
}

/** Bytes `pid` has passed to write-like syscalls (files and sockets alike). */
export function writtenBytesOf(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^wchar:\s+(\d+)$/m.exec(io);
  if (match === null) throw new Error(`/proc/${pid}/io has no wchar`);
  return Number(match[1]);
}

/** Sum of `writtenBytesOf` over the processes still alive (a stopped node writes nothing). */
export function writtenBytesOfAll(pids: readonly number[]): Map<number, number> {
  const bytes = new Map<number, number>();
  for (const pid of pids) {
    try {
      bytes.set(pid, writtenBytesOf(pid));
    } catch {
      // Gone (a node stopped on purpose): it sends nothing more.
    }
  }
  return bytes;
}

/** Bytes written between two `writtenBytesOfAll` snapshots, over the pids in both. */
export function writtenBytesBetween(
  before: ReadonlyMap<number, number>,
  after: ReadonlyMap<number, number>,
): number {
  let sum = 0;
  for (const [pid, start] of before) {
    const end = after.get(pid);
    if (end !== undefined) sum += end - start;
  }
  return sum;
}

export interface RssPeak {
  /** Highest VmRSS seen by the sampler. */
  readonly peakRssBytes: number;
  readonly samples: number;
  readonly hwmBytes: number;
}

/** Samples VmRSS of `pid` every RSS_SAMPLE_INTERVAL_MS until `stop()`. */
export function sampleRss(pid: number): { stop(): RssPeak } {
  let peakRssBytes = memoryOf(pid).rssBytes;
  let samples = 1;
  const timer = setInterval(() => {
    try {
      peakRssBytes = Math.max(peakRssBytes, memoryOf(pid).rssBytes);
      samples++;
    } catch {
      // The process went away; the caller sees the read fail.
    }
  }, RSS_SAMPLE_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      const last = memoryOf(pid);
      return {
        peakRssBytes: Math.max(peakRssBytes, last.rssBytes),
        samples: samples + 1,
        hwmBytes: last.hwmBytes,
      };
    },
  };
}

/** Pids whose command line mentions `text` (`pgrep -f`), without this process. */
export function pidsMentioning(text: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '')
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    // pgrep exits 1 when nothing matches.
    return [];
  }
}
