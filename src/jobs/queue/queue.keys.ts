import { QueueKeys as BullQueueKeys } from 'bullmq';

/** The BullMQ queue's name; KEDA scales workers on `<prefix>:cnn-lens-jobs:wait`. */
export const QUEUE_NAME = 'cnn-lens-jobs';

/** Redis keys of a job's payloads, under the queue's own prefix so that one prefix isolates a deployment. */
export class QueueKeys {
  private readonly base: string;
  private readonly bull: BullQueueKeys;

  constructor(prefix: string) {
    this.base = `${prefix}:${QUEUE_NAME}`;
    this.bull = new BullQueueKeys(prefix);
  }

  /** The request of a job: its image keys and options, as JSON. */
  request(jobId: string): string {
    return `${this.base}:request:${jobId}`;
  }

  image(jobId: string, index: number): string {
    return `${this.base}:input:${jobId}:${index}`;
  }

  resultMeta(jobId: string): string {
    return `${this.base}:result:${jobId}:meta`;
  }

  resultData(jobId: string): string {
    return `${this.base}:result:${jobId}:data`;
  }

  /** Where one run uploads its answer's bytes before the commit renames them into place. */
  stagedData(jobId: string, run: string): string {
    return `${this.base}:result:${jobId}:staged:${run}`;
  }

  cancelled(jobId: string): string {
    return `${this.base}:cancelled:${jobId}`;
  }

  /** BullMQ's lock of an active job; it holds the token of the run that owns the job. */
  lock(jobId: string): string {
    return `${this.bull.toKey(QUEUE_NAME, jobId)}:lock`;
  }

  /** Key of the waiting list, the one an autoscaler watches. */
  waitList(): string {
    return `${this.base}:wait`;
  }
}
