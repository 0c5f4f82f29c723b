import type { CommitOutcome, JobStore, StoredRequest } from './job.store';
import type { JobAnswer, JobOptions } from './job.types';
import { ExpiringMap } from './expiring.map';

export interface MemoryStoreSettings {
  readonly inputTtlSeconds: number;
  readonly resultTtlSeconds: number;
}

/**
 * The job store of the in-process mode: the same contract as the Redis store
 * (expiry, answers written once, cancel refusing the commit), in this
 * process's memory. There is no lock to fence: one process runs every job.
 */
export class MemoryJobStore implements JobStore {
  private readonly requests = new ExpiringMap<StoredRequest>();
  private readonly images = new ExpiringMap<Buffer>();
  private readonly answers = new ExpiringMap<JobAnswer>();
  private readonly cancelled = new ExpiringMap<true>();

  constructor(private readonly settings: MemoryStoreSettings) {}

  putRequest(jobId: string, images: readonly Buffer[], options: JobOptions): Promise<void> {
    const imageKeys = images.map((_, index) => `${jobId}:image:${index}`);
    images.forEach((bytes, index) =>
      this.images.set(imageKeys[index] ?? '', bytes, this.settings.inputTtlSeconds),
    );
    this.requests.set(jobId, { imageKeys, options }, this.settings.inputTtlSeconds);
    return Promise.resolve();
  }

  request(jobId: string): Promise<StoredRequest | undefined> {
    return Promise.resolve(this.requests.get(jobId));
  }

  image(key: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.images.get(key));
  }

  forgetRequest(jobId: string): Promise<void> {
    for (const key of this.requests.get(jobId)?.imageKeys ?? []) {
      this.images.delete(key);
    }
    this.requests.delete(jobId);
    return Promise.resolve();
  }

  commitAnswer(jobId: string, answer: JobAnswer): Promise<CommitOutcome> {
    if (this.answers.has(jobId)) {
      return Promise.resolve('already-written');
    }
    if (this.cancelled.has(jobId)) {
      return Promise.resolve('cancelled');
    }
    this.answers.set(jobId, answer, this.settings.resultTtlSeconds);
    return Promise.resolve('written');
  }

  hasAnswer(jobId: string): Promise<boolean> {
    return Promise.resolve(this.answers.has(jobId));
  }

  answer(jobId: string): Promise<JobAnswer | undefined> {
    return Promise.resolve(this.answers.get(jobId));
  }

  flagCancelled(jobId: string): Promise<void> {
    this.cancelled.set(jobId, true, this.settings.resultTtlSeconds);
    return Promise.resolve();
  }

  isCancelled(jobId: string): Promise<boolean> {
    return Promise.resolve(this.cancelled.has(jobId));
  }

  close(): void {
    // nothing to release: entries expire on unref'd timers
  }
}
