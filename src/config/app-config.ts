import { z } from 'zod';

import { ConfigurationError } from '../errors/configuration.error';

const MEBIBYTE = 1024 * 1024;

// Decimal digits only: Number() would read ' ' as 0, and '0x50' or '1e3' as numbers nobody wrote.
const integer = (min: number, max: number) => {
  const expected = `an integer from ${min} to ${max}`;
  return z
    .string()
    .trim()
    .regex(/^\d+$/, expected)
    .transform(Number)
    .pipe(z.number().min(min, expected).max(max, expected));
};

/** Text that must say something: a value of blanks is refused, not taken as the default. */
const text = (expected: string) => z.string().refine((value) => value.trim().length > 0, expected);

const executionProviders = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim().toLowerCase())
      .filter((part) => part.length > 0),
  )
  .pipe(
    z
      .array(z.enum(['cpu', 'cuda'], { error: 'a comma-separated list of cuda and cpu' }))
      .min(1, 'a comma-separated list of cuda and cpu'),
  );

const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/.+/, 'a redis:// or rediss:// URL')
  .optional();

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
  error: 'one of fatal, error, warn, info, debug, trace, silent',
});

/** Every setting cnn-lens reads, with its default; the README's configuration table mirrors it. */
const environmentSchema = z.object({
  PORT: integer(0, 65535).default(8080),
  HOST: text('a host name or IP address').default('0.0.0.0'),
  GRPC_PORT: integer(0, 65535).default(50051),
  ROLE: z.enum(['all', 'api', 'worker'], { error: 'one of all, api, worker' }).default('all'),
  REDIS_URL: redisUrl,
  MODEL_REPOSITORY: text('a folder path').default('./models'),
  DEFAULT_MODEL: text('a model name').default('fashion-mnist'),
  ORT_EXECUTION_PROVIDERS: executionProviders.default(['cpu']),
  ORT_CUDA_DEVICE_ID: integer(0, 64).default(0),
  ORT_CUDA_MEMORY_LIMIT_MB: integer(1, 1024 * 1024).optional(),
  ORT_INTRA_OP_THREADS: integer(0, 256).default(0),
  WORKER_CONCURRENCY: integer(1, 64).default(1),
  RENDER_THREADS: integer(1, 64).default(1),
  MAX_JSON_TENSOR_VALUES: integer(1, 16_777_216).default(2_097_152),
  MAX_UPLOAD_BYTES: integer(1024, 1024 * MEBIBYTE).default(20 * MEBIBYTE),
  MAX_IMAGE_PIXELS: integer(1, 1_000_000_000).default(50_000_000),
  MAX_REQUEST_PIXELS: integer(1, 16_000_000_000).default(100_000_000),
  MAX_BATCH_IMAGES: integer(1, 256).default(16),
  REQUEST_TIMEOUT_MS: integer(100, 3_600_000).default(30_000),
  // Node's requestTimeout: a client has this long to send a whole request, headers and body.
  HTTP_REQUEST_BODY_TIMEOUT_MS: integer(100, 3_600_000).default(10_000),
  JOB_RESULT_TTL_SECONDS: integer(1, 7 * 24 * 3600).default(3600),
  QUEUE_MAX_DEPTH: integer(1, 1_000_000).default(1000),
  GRPC_MAX_MESSAGE_BYTES: integer(1024, 2 * 1024 * MEBIBYTE - 1).default(96 * MEBIBYTE),
  // At most Redis's own limit on a string (proto-max-bulk-len, 512 MB), where queue mode stores
  // answers for JOB_RESULT_TTL_SECONDS. 96 MiB, as GRPC_MAX_MESSAGE_BYTES: a float32 map of a
  // 4096x4096 image (64 MiB) fits, and each answer kept costs Redis no more than that.
  MAX_RESPONSE_BYTES: integer(1024, 512 * MEBIBYTE).default(96 * MEBIBYTE),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : -')
    .default('bull'),
  JOB_ATTEMPTS: integer(1, 100).default(3),
  JOB_BACKOFF_MS: integer(0, 3_600_000).default(1000),
  JOB_INPUT_TTL_SECONDS: integer(1, 7 * 24 * 3600).default(3600),
  // A dead worker's job is taken over within lock + stalled interval (20 s): well inside
  // REQUEST_TIMEOUT_MS, so its waiting caller still gets the answer (see settingWarnings).
  JOB_LOCK_DURATION_MS: integer(1000, 3_600_000).default(15_000),
  JOB_STALLED_INTERVAL_MS: integer(500, 3_600_000).default(5_000),
  JOB_MAX_STALLED_COUNT: integer(0, 100).default(2),
  REDIS_COMMAND_TIMEOUT_MS: integer(50, 60_000).default(2000),
  // Longer than the longest job (120 s) and shorter than the grace periods of deploy/ (150 s).
  SHUTDOWN_TIMEOUT_MS: integer(0, 3_600_000).default(130_000),
  WORKER_NAME: text('a non-empty name').optional(),
  LOG_LEVEL: logLevel.default('info'),
});

type Environment = z.infer<typeof environmentSchema>;

/** The names of every setting, for the tests that hold the README's tables to this schema. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/** BullMQ settings: the queue's key prefix, retries, and the lock that detects dead workers. */
export interface QueueSettings {
  /** Redis key prefix of the queue (`<prefix>:cnn-lens-jobs:*`); BullMQ's default is `bull`. */
  readonly prefix: string;
  readonly attempts: number;
  /** First retry delay; doubles at each attempt. */
  readonly backoffMs: number;
  readonly inputTtlSeconds: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly commandTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** Recorded on every job a worker runs (BullMQ `processedBy`); default `<hostname>:<pid>`. */
  readonly workerName: string | undefined;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly grpcPort: number;
  readonly role: Environment['ROLE'];
  readonly redisUrl: string | undefined;
  readonly modelRepository: string;
  readonly defaultModel: string;
  readonly executionProviders: readonly ('cpu' | 'cuda')[];
  readonly cudaDeviceId: number;
  readonly cudaMemoryLimitBytes: number | undefined;
  readonly intraOpThreads: number;
  readonly workerConcurrency: number;
  /** Worker threads per process for the per-pixel work of answers (upsampling, colormap, PNG). */
  readonly renderThreads: number;
  /** Most values a JSON tensor answer holds; float32 as JSON text takes up to ~25 bytes each. */
  readonly maxJsonTensorValues: number;
  readonly maxUploadBytes: number;
  readonly maxImagePixels: number;
  /** Largest width x height summed over the images of one request. */
  readonly maxRequestPixels: number;
  readonly maxBatchImages: number;
  readonly requestTimeoutMs: number;
  /** How long a client may take to send a whole HTTP request, headers and body; then 408. */
  readonly requestBodyTimeoutMs: number;
  readonly jobResultTtlSeconds: number;
  readonly queueMaxDepth: number;
  readonly grpcMaxMessageBytes: number;
  /** Largest answer a job may give (JSON, PNG or tensor bytes); checked before it is stored. */
  readonly maxResponseBytes: number;
  readonly queue: QueueSettings;
  readonly logLevel: Environment['LOG_LEVEL'];
}

/** Reads and validates the configuration once; a wrong value names the variable and what it accepts. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // `VAR=` (empty) is how compose files and shells leave a setting unset; a value of blanks
  // is not empty, and every schema above refuses it, naming the variable.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = environmentSchema.safeParse(present);

  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      return { variable, received: env[variable], expected: issue.message };
    });
    throw new ConfigurationError(problems);
  }

  const e = parsed.data;
  if (e.ROLE !== 'all' && e.REDIS_URL === undefined) {
    throw new ConfigurationError([
      {
        variable: 'REDIS_URL',
        received: undefined,
        expected: `a redis:// URL: ROLE=${e.ROLE} runs jobs through Redis`,
      },
    ]);
  }
  if (e.MAX_REQUEST_PIXELS < e.MAX_IMAGE_PIXELS) {
    throw new ConfigurationError([
      {
        variable: 'MAX_REQUEST_PIXELS',
        received: env.MAX_REQUEST_PIXELS,
        expected: `at least MAX_IMAGE_PIXELS (${e.MAX_IMAGE_PIXELS}): a request's pixels in all include its largest image's`,
      },
    ]);
  }
  return {
    port: e.PORT,
    host: e.HOST,
    grpcPort: e.GRPC_PORT,
    role: e.ROLE,
    redisUrl: e.REDIS_URL,
    modelRepository: e.MODEL_REPOSITORY,
    defaultModel: e.DEFAULT_MODEL,
    executionProviders: e.ORT_EXECUTION_PROVIDERS,
    cudaDeviceId: e.ORT_CUDA_DEVICE_ID,
    cudaMemoryLimitBytes:
      e.ORT_CUDA_MEMORY_LIMIT_MB === undefined ? undefined : e.ORT_CUDA_MEMORY_LIMIT_MB * MEBIBYTE,
    intraOpThreads: e.ORT_INTRA_OP_THREADS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    renderThreads: e.RENDER_THREADS,
    maxJsonTensorValues: e.MAX_JSON_TENSOR_VALUES,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    maxImagePixels: e.MAX_IMAGE_PIXELS,
    maxRequestPixels: e.MAX_REQUEST_PIXELS,
    maxBatchImages: e.MAX_BATCH_IMAGES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    requestBodyTimeoutMs: e.HTTP_REQUEST_BODY_TIMEOUT_MS,
    jobResultTtlSeconds: e.JOB_RESULT_TTL_SECONDS,
    queueMaxDepth: e.QUEUE_MAX_DEPTH,
    grpcMaxMessageBytes: e.GRPC_MAX_MESSAGE_BYTES,
    maxResponseBytes: e.MAX_RESPONSE_BYTES,
    queue: {
      prefix: e.QUEUE_PREFIX,
      attempts: e.JOB_ATTEMPTS,
      backoffMs: e.JOB_BACKOFF_MS,
      inputTtlSeconds: e.JOB_INPUT_TTL_SECONDS,
      lockDurationMs: e.JOB_LOCK_DURATION_MS,
      stalledIntervalMs: e.JOB_STALLED_INTERVAL_MS,
      maxStalledCount: e.JOB_MAX_STALLED_COUNT,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      workerName: e.WORKER_NAME,
    },
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * Settings that are valid one by one but work against each other; logged at
 * start as warnings. A job of a worker that died is taken over within
 * JOB_LOCK_DURATION_MS + JOB_STALLED_INTERVAL_MS: when that is not under
 * REQUEST_TIMEOUT_MS, its synchronous caller gets 504 JOB_TIMEOUT although
 * another worker finishes the job a moment later.
 */
export function settingWarnings(config: AppConfig): string[] {
  const { lockDurationMs, stalledIntervalMs } = config.queue;
  const takeoverMs = lockDurationMs + stalledIntervalMs;

  if (config.redisUrl === undefined || takeoverMs < config.requestTimeoutMs) {
    return [];
  }
  return [
    `JOB_LOCK_DURATION_MS + JOB_STALLED_INTERVAL_MS (${lockDurationMs} + ${stalledIntervalMs} ms) is not under REQUEST_TIMEOUT_MS (${config.requestTimeoutMs} ms): a synchronous request whose worker dies gets 504 JOB_TIMEOUT even when another worker finishes its job`,
  ];
}

export const APP_CONFIG = Symbol('APP_CONFIG');
