import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Resets this process's peak resident set (VmHWM) so the next reading covers
 * one phase only; Linux >= 4.0 does this on "5" written to clear_refs.
 * Returns false where that is not possible (then peaks accumulate).
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set of this process in MiB since start or the last reset (VmHWM). */
export function peakRssMiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    if (match !== null) {
      return Number(match[1]) / 1024;
    }
  } catch {
    // Not Linux: fall back to the current resident set.
  }
  return process.memoryUsage().rss / 2 ** 20;
}

/** Peak resident set of another process in MiB (VmHWM), or undefined when it is gone. */
export function processPeakRssMiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}
