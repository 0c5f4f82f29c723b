/**
 * The slowest transfer to or from Redis still taken for a working Redis:
 * 10 MB/s (a loaded network and an fsync per write with appendfsync always).
 */
const SLOWEST_BYTES_PER_MS = 10_000;

/**
 * The time bound of a payload transfer: REDIS_COMMAND_TIMEOUT_MS plus what
 * the bytes take at the slowest acceptable rate, so that a 320 MB answer is
 * not cut off at 2 s while a Redis that is gone is still noticed.
 */
export function payloadTimeoutMs(commandTimeoutMs: number, bytes: number): number {
  return commandTimeoutMs + Math.ceil(bytes / SLOWEST_BYTES_PER_MS);
}
