import { type BatchLimits, readBatchSizes } from '../imaging/batch-pixels';
import type { JobRunner, QueueDepth } from './job-runner';
import type { JobAnswer, JobData, JobStatus } from './job.types';

/**
 * Refuses a job whose images its handler would refuse from their headers
 * alone (empty, not an image this build decodes, over MAX_IMAGE_PIXELS, a
 * batch over MAX_REQUEST_PIXELS) before anything is stored or queued: an
 * async caller gets the 4xx at once rather than a 202 and a failed job. The
 * handler checks again, since a worker may take jobs from another API
 * version; damage found only by decoding still fails the job.
 */
export class UploadCheckedJobRunner implements JobRunner {
  constructor(
    private readonly inner: JobRunner,
    private readonly limits: BatchLimits,
  ) {}

  async submit(
    kind: JobData['kind'],
    model: string,
    images: readonly Buffer[],
    options: JobData['options'],
  ): Promise<string> {
    if (images.length > 0) {
      await readBatchSizes(images, this.limits);
    }
    return this.inner.submit(kind, model, images, options);
  }

  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<JobAnswer> {
    return this.inner.wait(jobId, timeoutMs, signal);
  }

  status(jobId: string): Promise<JobStatus> {
    return this.inner.status(jobId);
  }

  result(jobId: string): Promise<JobAnswer> {
    return this.inner.result(jobId);
  }

  cancel(jobId: string): Promise<void> {
    return this.inner.cancel(jobId);
  }

  healthy(): Promise<boolean> {
    return this.inner.healthy();
  }

  depth(): Promise<QueueDepth> {
    return this.inner.depth();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
