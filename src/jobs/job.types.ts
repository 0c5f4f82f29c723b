/** What a job computes; each kind has one handler in jobs/handlers/. */
export type JobKind =
  'predict' | 'explain' | 'feature-maps' | 'kernels' | 'histograms' | 'prediction-image';

/**
 * What a handler is given: the job's kind and model, the keys of its images
 * in the job store, and its options, read back from the store by the runner.
 */
export interface JobData {
  readonly kind: JobKind;
  readonly model: string;
  readonly imageKeys: readonly string[];
  /** Validated, method-specific options; plain JSON scalars and lists. */
  readonly options: JobOptions;
}

export type JobOptions = Readonly<Record<string, JobOptionValue>>;

export type JobOptionValue = string | number | boolean | readonly (string | number)[] | null;

/**
 * What the queue itself holds for a job: only its kind and model (a name of
 * the repository), so it stays under 1 KB whatever the request; images and
 * options wait in the job store under the job's id.
 */
export interface QueuedJobData {
  readonly kind: JobKind;
  readonly model: string;
}

/** A finished job's answer: a JSON document, or binary bytes with metadata for headers. */
export type JobAnswer =
  | {
      readonly type: 'json';
      readonly body: unknown;
      /** The body's UTF-8 JSON bytes when they already exist (stored answers); sent as they are. */
      readonly encoded?: Buffer;
    }
  | {
      readonly type: 'binary';
      readonly contentType: string;
      readonly data: Buffer;
      readonly metadata: Readonly<Record<string, string | number>>;
    };

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'unknown';

export interface JobFailure {
  readonly code: string;
  readonly message: string;
  readonly kind: string;
  /** The error's structured details (valid layers, limits), when it has any. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface JobStatus {
  readonly id: string;
  readonly kind: JobKind | undefined;
  readonly model: string | undefined;
  readonly state: JobState;
  readonly progress: number;
  readonly error: JobFailure | undefined;
  readonly createdAt: string | undefined;
  readonly finishedAt: string | undefined;
  /** The worker that ran (or runs) the job (WORKER_NAME, default `<host>:<pid>`), once one took it. */
  readonly worker: string | undefined;
}
