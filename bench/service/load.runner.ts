import autocannon from 'autocannon';

import { machineCpu, ownCpuSeconds, processCpuSeconds } from '../support/cpu-time';

export interface LoadRequest {
  readonly label: string;
  readonly path: string;
  readonly body: Buffer;
  readonly contentType: string;
}

export interface CpuParties {
  readonly apiPid: number;
  readonly workerPids: readonly number[];
  readonly redisCpuSeconds?: () => Promise<number>;
  readonly redisCommands?: () => Promise<number>;
}

/** CPU time over the run, as cores busy on average (CPU seconds / wall seconds). */
export interface CpuShare {
  readonly api: number;
  readonly workers: number;
  readonly redis: number | undefined;
  readonly loadGenerator: number;
  /** Everything busy on the machine, all processes of all users. */
  readonly machine: number;
  /** The machine's busy time not accounted for above: other people's work. */
  readonly other: number;
}

export interface LoadResult {
  /** Epoch milliseconds at the start of the measured window (after the warm-up). */
  readonly startedAtMs: number;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  readonly cpu: CpuShare;
  /** Redis commands per answered request (queue mode): each one is a round trip on the job's path or a poll. */
  readonly redisCommandsPerRequest: number | undefined;
}

const REQUEST_TIMEOUT_S = 120;

/**
 * A closed-loop load with autocannon (`connections` requests in flight,
 * each sent as soon as the last came back) after a short warm-up, with the
 * CPU time of the API, the workers, Redis and this process (the load
 * generator) taken over the same window.
 */
export async function runLoad(
  baseUrl: string,
  request: LoadRequest,
  connections: number,
  seconds: number,
  parties: CpuParties,
  warmupRequests: number,
): Promise<LoadResult> {
  const options = {
    url: `${baseUrl}${request.path}`,
    method: 'POST' as const,
    headers: { 'content-type': request.contentType },
    body: request.body,
    connections,
    timeout: REQUEST_TIMEOUT_S,
  };
  if (warmupRequests > 0) {
    await autocannon({ ...options, amount: warmupRequests });
  }

  const startedAtMs = Date.now();
  const commandsBefore = await parties.redisCommands?.();
  const before = await cpuSnapshot(parties);
  const result = await autocannon({ ...options, duration: seconds });
  const after = await cpuSnapshot(parties);
  const commandsAfter = await parties.redisCommands?.();
  const wall = (after.wall - before.wall) / 1000;

  const share = (a: number, b: number): number => (b - a) / wall;
  const api = share(before.api, after.api);
  const workers = share(before.workers, after.workers);
  const redis =
    before.redis === undefined || after.redis === undefined
      ? undefined
      : share(before.redis, after.redis);
  const loadGenerator = share(before.own, after.own);
  const machine = share(before.machine, after.machine);

  return {
    startedAtMs,
    connections,
    seconds: result.duration,
    requests: result['2xx'],
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    cpu: {
      api,
      workers,
      redis,
      loadGenerator,
      machine,
      other: Math.max(0, machine - api - workers - (redis ?? 0) - loadGenerator),
    },
    redisCommandsPerRequest:
      commandsBefore === undefined || commandsAfter === undefined || result['2xx'] === 0
        ? undefined
        : (commandsAfter - commandsBefore) / result['2xx'],
  };
}

interface CpuSnapshot {
  readonly wall: number;
  readonly api: number;
  readonly workers: number;
  readonly redis: number | undefined;
  readonly own: number;
  readonly machine: number;
}

async function cpuSnapshot(parties: CpuParties): Promise<CpuSnapshot> {
  return {
    wall: performance.now(),
    api: processCpuSeconds(parties.apiPid),
    workers: parties.workerPids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    redis: parties.redisCpuSeconds === undefined ? undefined : await parties.redisCpuSeconds(),
    own: ownCpuSeconds(),
    machine: machineCpu().busySeconds,
  };
}
