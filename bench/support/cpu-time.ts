import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's times; 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far (Linux /proc/<pid>/stat), or 0 when gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces, start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]);
    const system = Number(fields[12]);
    return (user + system) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process (the load generator when autocannon runs in it). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export interface MachineCpu {
  readonly busySeconds: number;
  readonly totalSeconds: number;
}

/** Busy and total CPU seconds of the whole machine, all cores (the first line of /proc/stat). */
export function machineCpu(): MachineCpu {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    const total = values.slice(0, 8).reduce((sum, x) => sum + x, 0);
    return {
      busySeconds: (total - idle) / TICKS_PER_SECOND,
      totalSeconds: total / TICKS_PER_SECOND,
    };
  } catch {
    return { busySeconds: 0, totalSeconds: 0 };
  }
}
