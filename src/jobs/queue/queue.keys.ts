/** The BullMQ queue's name; KEDA scales workers on `<prefix>:cnn-lens-jobs:wait`. */
export const QUEUE_NAME = 'cnn-lens-jobs';

/** Redis keys of a job's payloads, under the queue's own prefix so that one prefix isolates a deployment. */
export class QueueKeys {
  private readonly base: string;

  constructor(prefix: string) {
    this.base = `${prefix}:${QUEUE_NAME}`;
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

  cancelled(jobId: string): string {
    return `${this.base}:cancelled:${jobId}`;
  }

  /** Key of the waiting list, the one an autoscaler watches. */
  waitList(): string {
    return `${this.base}:wait`;
  }
}
