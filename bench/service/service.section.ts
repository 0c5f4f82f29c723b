import { BUNDLED_MODEL, RESNET50_MODEL } from '../models/bench-model-repository';
import type { BenchImages } from '../support/bench-images';
import { processPeakRssMiB } from '../support/peak-rss';
import { startCnnLens, type CnnLensLaunch, type CnnLensProcess } from './cnn-lens.process';
import { runLoad, type CpuParties, type LoadRequest, type LoadResult } from './load.runner';
import { jobTimeline, type JobTimeline } from './job-timeline';
import { startBenchRedis, type BenchRedis } from './private-redis';

export type ServiceMode = 'in-process' | 'queue, 1 worker' | 'queue, 2 workers';

export interface ServiceRow {
  readonly mode: ServiceMode;
  readonly request: string;
  readonly load: LoadResult;
  /** Queue mode: medians of the jobs' wait and run times, from BullMQ's records. */
  readonly timeline?: JobTimeline;
}

export interface ScalingResult {
  readonly request: string;
  readonly connections: number;
  readonly oneWorker: LoadResult;
  readonly twoWorkers: LoadResult;
  readonly ratio: number;
}

export interface ServiceResult {
  readonly rows: readonly ServiceRow[];
  readonly scaling: ScalingResult | { readonly skipped: string } | undefined;
  readonly notes: readonly string[];
  readonly peakRssMiB: Readonly<Record<string, number>>;
}

export interface ServiceOptions {
  readonly launch: CnnLensLaunch;
  readonly outDir: string;
  readonly images: BenchImages;
  readonly service: boolean;
  readonly scaling: boolean;
  readonly connections: readonly number[];
  readonly seconds: number;
  readonly scalingSeconds: number;
  readonly scalingConnections: number;
  /** Load Grad-CAM only when the service has it (a smoke run); otherwise the prediction too. */
  readonly oneRequestKind: boolean;
  /** ORT_INTRA_OP_THREADS of every cnn-lens process (1: the scaling target's setting). */
  readonly intraOpThreads: number;
  readonly log: (line: string) => void;
}

const png = 'image/png';

/**
 * The service over HTTP: in-process mode, then queue mode with one and two
 * worker processes against a Redis of the bench's own; every process it
 * starts is stopped at the end, on failure too.
 */
export async function runServiceSection(options: ServiceOptions): Promise<ServiceResult> {
  const rows: ServiceRow[] = [];
  const notes: string[] = [];
  const peakRssMiB: Record<string, number> = {};
  const started: CnnLensProcess[] = [];
  let redis: BenchRedis | undefined;
  // One compute thread means onnxruntime's and libvips's (sharp's decoding) alike.
  const threads = {
    ORT_INTRA_OP_THREADS: String(options.intraOpThreads),
    VIPS_CONCURRENCY: String(options.intraOpThreads),
  };

  const start = async (name: string, settings: Record<string, string>): Promise<CnnLensProcess> => {
    options.log(`service: starting ${name}`);
    const p = await startCnnLens(name, { ...threads, ...settings }, options.launch);
    started.push(p);
    return p;
  };
  const stop = async (p: CnnLensProcess): Promise<void> => {
    peakRssMiB[p.name] = processPeakRssMiB(p.pid) ?? Number.NaN;
    await p.stop();
  };

  try {
    let requests = [predictRequest(options.images)];
    if (options.service) {
      const inline = await start('in-process', { ROLE: 'all' });
      const explain = await probeExplain(
        inline.baseUrl,
        gradcamRequest(BUNDLED_MODEL, options.images.small),
      );
      notes.push(`explain over HTTP (POST /v1/explain?method=gradcam): ${explain.note}`);
      if (explain.available) {
        const gradcam = gradcamRequest(BUNDLED_MODEL, options.images.small);
        requests = options.oneRequestKind ? [gradcam] : [...requests, gradcam];
      }
      await loadAll(rows, 'in-process', requests, inline, [], undefined, options);
      await stop(inline);
    }

    const got = await startBenchRedis(options.outDir);
    if (typeof got === 'string') {
      notes.push(`queue mode: ${got}`);
      return { rows, scaling: { skipped: got }, notes, peakRssMiB };
    }
    redis = got;
    notes.push(`queue mode: Redis = ${redis.origin}`);
    const queue = { REDIS_URL: redis.url, QUEUE_PREFIX: `cnnlens-bench-${process.pid}` };
    const records = { server: redis, prefix: queue.QUEUE_PREFIX };

    const api = await start('api', { ...queue, ROLE: 'api' });
    const worker1 = await start('worker-1', {
      ...queue,
      ROLE: 'worker',
      WORKER_NAME: 'bench-worker-1',
    });
    const heavy = await heavyRequest(api.baseUrl, options.images.large);
    let oneWorker: LoadResult | undefined;

    if (options.service) {
      await loadAll(rows, 'queue, 1 worker', requests, api, [worker1], records, options);
    }
    if (options.scaling) {
      options.log(`scaling: ${heavy.label}, 1 worker, ${options.scalingConnections} connections`);
      oneWorker = await runLoad(
        api.baseUrl,
        heavy,
        options.scalingConnections,
        options.scalingSeconds,
        parties(api, [worker1], redis),
        options.scalingConnections,
      );
    }

    const worker2 = await start('worker-2', {
      ...queue,
      ROLE: 'worker',
      WORKER_NAME: 'bench-worker-2',
    });
    if (options.service) {
      await loadAll(rows, 'queue, 2 workers', requests, api, [worker1, worker2], records, options);
    }
    let scaling: ServiceResult['scaling'];
    if (options.scaling && oneWorker !== undefined) {
      options.log(`scaling: ${heavy.label}, 2 workers, ${options.scalingConnections} connections`);
      // Warm-up of twice the connections: both workers must have built their sessions before the window opens.
      const twoWorkers = await runLoad(
        api.baseUrl,
        heavy,
        options.scalingConnections,
        options.scalingSeconds,
        parties(api, [worker1, worker2], redis),
        2 * options.scalingConnections,
      );
      scaling = {
        request: heavy.label,
        connections: options.scalingConnections,
        oneWorker,
        twoWorkers,
        ratio: twoWorkers.rps / oneWorker.rps,
      };
    }

    for (const p of [worker2, worker1, api]) {
      await stop(p);
    }
    return { rows, scaling, notes, peakRssMiB };
  } finally {
    for (const p of started) {
      await p.stop();
    }
    await redis?.close();
  }
}

async function loadAll(
  rows: ServiceRow[],
  mode: ServiceMode,
  requests: readonly LoadRequest[],
  api: CnnLensProcess,
  workers: readonly CnnLensProcess[],
  redis: { server: BenchRedis; prefix: string } | undefined,
  options: ServiceOptions,
): Promise<void> {
  for (const request of requests) {
    for (const connections of options.connections) {
      options.log(`service: ${mode}, ${request.label}, ${connections} connections`);
      const warmup = Math.max(4, 2 * connections);
      const load = await runLoad(
        api.baseUrl,
        request,
        connections,
        options.seconds,
        parties(api, workers, redis?.server),
        warmup,
      );
      const timeline =
        redis === undefined
          ? undefined
          : await jobTimeline(redis.server.client, redis.prefix, load.startedAtMs);
      rows.push({
        mode,
        request: request.label,
        load,
        ...(timeline === undefined ? {} : { timeline }),
      });
    }
  }
}

function parties(
  api: CnnLensProcess,
  workers: readonly CnnLensProcess[],
  redis: BenchRedis | undefined,
): CpuParties {
  return {
    apiPid: api.pid,
    workerPids: workers.map((w) => w.pid),
    ...(redis === undefined
      ? {}
      : {
          redisCpuSeconds: () => redis.cpuSeconds(),
          redisCommands: () => redis.commandsProcessed(),
        }),
  };
}

function predictRequest(images: BenchImages): LoadRequest {
  return {
    label: `predict ${BUNDLED_MODEL}`,
    path: `/v1/models/${BUNDLED_MODEL}/predict`,
    body: images.small,
    contentType: png,
  };
}

function gradcamRequest(model: string, image: Buffer): LoadRequest {
  return {
    label: `gradcam ${model}`,
    path: `/v1/explain?method=gradcam&model=${model}`,
    body: image,
    contentType: png,
  };
}

async function probeExplain(
  baseUrl: string,
  request: LoadRequest,
): Promise<{ available: boolean; note: string }> {
  try {
    const response = await fetch(`${baseUrl}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
    });
    const type = response.headers.get('content-type') ?? '';
    const body = type.startsWith('image/') ? `${type}` : (await response.text()).slice(0, 160);
    return response.status === 200
      ? { available: true, note: `available (${body})` }
      : { available: false, note: `not available: answered ${response.status} ${body}` };
  } catch (error) {
    return { available: false, note: `not available: ${(error as Error).message}` };
  }
}

/** The scaling request: Grad-CAM on the ResNet-50-shaped network when explain exists, its prediction otherwise. */
async function heavyRequest(baseUrl: string, image: Buffer): Promise<LoadRequest> {
  const gradcam = gradcamRequest(RESNET50_MODEL, image);
  const probe = await probeExplain(baseUrl, gradcam);
  return probe.available
    ? gradcam
    : {
        label: `predict ${RESNET50_MODEL}`,
        path: `/v1/models/${RESNET50_MODEL}/predict`,
        body: image,
        contentType: png,
      };
}
