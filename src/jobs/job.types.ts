/** What a job computes; each kind has one handler in jobs/handlers/. */
export type JobKind =
  'predict' | 'explain' | 'feature-maps' | 'kernels' | 'histograms' | 'prediction-image';

/**
 * The job's own data: small by construction (well under 1 KB) because images
 * travel as keys into the blob store, never inline.
 */
export interface JobData {
  readonly kind: JobKind;
  readonly model: string;
  readonly imageKeys: readonly string[];
  /** Validated, method-specific options; plain JSON scalars and short lists only. */
  readonly options: Readonly<Record<string, JobOptionValue>>;
}

export type JobOptionValue = string | number | boolean | readonly (string | number)[] | null;

/** A finished job's answer: a JSON document, or binary bytes with metadata for headers. */
export type JobAnswer =
  | { readonly type: 'json'; readonly body: unknown }
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
}
