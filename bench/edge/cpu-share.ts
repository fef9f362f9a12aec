/**
 * Where the machine's CPU went during a bench window, by part of the devnet: workerd (the Worker and
 * its Durable Objects), the storage nodes, the ledger, the bench's client and the CLI processes it
 * ran. A figure under load means little without it: on 2 cores, a part that gets a twentieth of the
 * CPU serves a twentieth of what it could, whatever its code does.
 *
 * Linux only (/proc); elsewhere `cpuSnapshot` answers an empty map and the share is not printed.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second of /proc's times (USER_HZ; 100 on every Linux this runs on). */
const TICKS_PER_S = 100;

/** A part of the devnet, recognised by its command line. */
const PARTS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'workerd (Worker + Durable Objects)', pattern: /\/workerd\b/ },
  { name: 'Miniflare host', pattern: /launcher\/worker-main\.js/ },
  { name: 'storage nodes', pattern: /node-reference\/main\.js/ },
  { name: 'ledger', pattern: /devnet\/ledger-main\.js/ },
  { name: 'launcher', pattern: /devnet\/launcher\/main\.js/ },
];
const BENCH = 'bench client';
const CHILDREN = 'CLI processes (exited children)';

/** CPU seconds by part, at one moment. */
export type CpuSnapshot = Map<string, number>;

/** utime+stime (and cutime+cstime) of a /proc/<pid>/stat line, in seconds. */
function times(stat: string): { own: number; children: number } {
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  return {
    own: (field(14) + field(15)) / TICKS_PER_S,
    children: (field(16) + field(17)) / TICKS_PER_S,
  };
}

export function cpuSnapshot(): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  const add = (part: string, seconds: number) =>
    snapshot.set(part, (snapshot.get(part) ?? 0) + seconds);
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(pid) === process.pid) {
        const self = times(stat);
        add(BENCH, self.own);
        add(CHILDREN, self.children);
        continue;
      }
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const part = PARTS.find((candidate) => candidate.pattern.test(cmdline));
      if (part !== undefined) add(part.name, times(stat).own);
    } catch {
      // The process exited between the listing and the read.
    }
  }
  return snapshot;
}

/**
 * A markdown table of the CPU each part used between two snapshots, as cores (CPU seconds per
 * wall second) and as a share of all of it; empty when /proc could not be read.
 */
export function cpuShareTable(before: CpuSnapshot, after: CpuSnapshot, wallS: number): string {
  const used = [...after]
    .map(([part, seconds]) => ({ part, seconds: seconds - (before.get(part) ?? 0) }))
    .filter((entry) => entry.seconds > 0)
    .sort((a, b) => b.seconds - a.seconds);
  const total = used.reduce((sum, entry) => sum + entry.seconds, 0);
  if (total === 0) return '';
  const lines = ['| process | CPU s | cores | share |', '|---|---|---|---|'];
  for (const { part, seconds } of used) {
    lines.push(
      `| ${part} | ${seconds.toFixed(1)} | ${(seconds / wallS).toFixed(2)} | ` +
        `${((100 * seconds) / total).toFixed(0)}% |`,
    );
  }
  return lines.join('\n');
}
