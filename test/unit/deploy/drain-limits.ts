/** How long the longest job is expected to run; the drain and the grace periods are sized on it. */
export const LONGEST_JOB_MS = 120_000;

/** Time left between the end of the drain and the kill, for closing connections and flushing logs. */
export const KILL_MARGIN_MS = 10_000;

/** Problems of a drain timeout against the work it must cover and the grace period around it. */
export function drainProblems(
  where: string,
  shutdownTimeoutMs: number,
  longestWorkMs: number,
  gracePeriodMs: number,
): string[] {
  const problems: string[] = [];

  if (shutdownTimeoutMs < longestWorkMs) {
    problems.push(
      `${where}: SHUTDOWN_TIMEOUT_MS ${shutdownTimeoutMs} is shorter than the work it drains (${longestWorkMs} ms)`,
    );
  }
  if (shutdownTimeoutMs > gracePeriodMs - KILL_MARGIN_MS) {
    problems.push(
      `${where}: SHUTDOWN_TIMEOUT_MS ${shutdownTimeoutMs} leaves less than ${KILL_MARGIN_MS} ms of the ${gracePeriodMs} ms grace period`,
    );
  }
  return problems;
}

/** Compose durations as this repository writes them: `150s`. */
export function composeSeconds(duration: string | undefined): number {
  const match = /^(\d+)s$/.exec(duration ?? '');
  if (match === null) {
    throw new Error(`expected a duration like "150s", got ${String(duration)}`);
  }
  return Number(match[1]) * 1000;
}
