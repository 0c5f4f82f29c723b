import { InvalidParameterError } from '../../../src/errors/invalid-parameter.error';
import { ResponseTooLargeError } from '../../../src/errors/response-too-large.error';
import { JobExecutor, type JobAttempt } from '../../../src/jobs/job.executor';
import type { JobContext, JobHandler } from '../../../src/jobs/job-handler';
import type { JobAnswer, JobData, JobKind } from '../../../src/jobs/job.types';
import { MemoryJobStore } from '../../../src/jobs/memory-job.store';
import { silentLogger } from '../../support/silent-logger';

/** A handler that records what it was given and answers with the byte length of its first image. */
class RecordingHandler implements JobHandler {
  readonly calls: JobData[] = [];

  constructor(private readonly fail?: Error) {}

  async run(data: JobData, context: JobContext): Promise<JobAnswer> {
    this.calls.push(data);
    if (this.fail !== undefined) {
      throw this.fail;
    }
    const bytes = await context.image(data.imageKeys[0] ?? '');
    await context.progress(0.5);
    return { type: 'json', body: { length: bytes.length } };
  }
}

function setup(handler: JobHandler, maxResponseBytes = 1024 * 1024) {
  const store = new MemoryJobStore({ inputTtlSeconds: 60, resultTtlSeconds: 60 });
  const failures: [JobKind, string][] = [];
  const executor = new JobExecutor(
    new Map<JobKind, JobHandler>([['predict', handler]]),
    store,
    { count: (kind, code) => failures.push([kind, code]) },
    silentLogger,
    { maxResponseBytes },
  );
  return { store, failures, executor };
}

function attempt(jobId: string, progress: number[] = []): JobAttempt {
  return {
    jobId,
    kind: 'predict',
    model: 'm',
    attempt: 1,
    fence: '',
    progress: (fraction) => {
      progress.push(fraction);
      return Promise.resolve();
    },
  };
}

describe('JobExecutor', () => {
  it('should run the handler on the stored request and commit its answer once', async () => {
    const handler = new RecordingHandler();
    const { store, executor } = setup(handler);
    await store.putRequest('j1', [Buffer.alloc(7)], { top_k: 3 });
    const progress: number[] = [];

    const outcome = await executor.run(attempt('j1', progress));

    expect(outcome).toBe('answered');
    expect(handler.calls).toEqual([
      { kind: 'predict', model: 'm', imageKeys: ['j1:image:0'], options: { top_k: 3 } },
    ]);
    expect(progress).toEqual([0.5]);
    const answer = await store.answer('j1');
    expect(answer?.type === 'json' ? answer.body : undefined).toEqual({ length: 7 });
  });

  it('should not run the handler again for a job whose answer is already stored', async () => {
    const handler = new RecordingHandler();
    const { store, executor } = setup(handler);
    await store.putRequest('j2', [Buffer.alloc(1)], {});
    await executor.run(attempt('j2'));

    const again = await executor.run(attempt('j2'));

    expect(again).toBe('answered-before');
    expect(handler.calls).toHaveLength(1);
  });

  it('should refuse a cancelled job with JOB_CANCELLED without running it, and count it', async () => {
    const handler = new RecordingHandler();
    const { store, executor, failures } = setup(handler);
    await store.putRequest('j3', [Buffer.alloc(1)], {});
    await store.flagCancelled('j3');

    await expect(executor.run(attempt('j3'))).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(handler.calls).toHaveLength(0);
    expect(failures).toEqual([['predict', 'JOB_CANCELLED']]);
  });

  it('should fail with JOB_INPUT_EXPIRED when the request is gone', async () => {
    const { executor } = setup(new RecordingHandler());

    await expect(executor.run(attempt('missing'))).rejects.toMatchObject({
      code: 'JOB_INPUT_EXPIRED',
      message: expect.stringContaining('"missing"'),
    });
  });

  it("should pass the handler's own error on, counted under its code, with no answer stored", async () => {
    const error = new InvalidParameterError('top_k', 'an integer from 1 to 10', '0');
    const { store, executor, failures } = setup(new RecordingHandler(error));
    await store.putRequest('j4', [Buffer.alloc(1)], {});

    await expect(executor.run(attempt('j4'))).rejects.toBe(error);
    expect(failures).toEqual([['predict', 'INVALID_PARAMETER']]);
    expect(await store.hasAnswer('j4')).toBe(false);
  });

  it('should refuse the answer of a job cancelled while it ran', async () => {
    const { store, executor } = setup({
      run: async () => {
        await store.flagCancelled('j5');
        return { type: 'json', body: {} };
      },
    });
    await store.putRequest('j5', [], {});

    await expect(executor.run(attempt('j5'))).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(await store.hasAnswer('j5')).toBe(false);
  });

  it('should fail an answer over MAX_RESPONSE_BYTES with RESPONSE_TOO_LARGE before storing it, and never retry it', async () => {
    const bytes = Buffer.alloc(5000);
    const { store, executor, failures } = setup(
      {
        run: () =>
          Promise.resolve({
            type: 'binary',
            contentType: 'application/x-npy',
            data: bytes,
            metadata: {},
          }),
      },
      4096,
    );
    await store.putRequest('big', [Buffer.alloc(1)], {});

    const error = await executor.run(attempt('big')).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      kind: 'payload-too-large',
      retryable: false,
      message:
        'the answer would take 5000 bytes, more than the limit of 4096 bytes (MAX_RESPONSE_BYTES); ask for resolution=layer, fewer images or targets, or PNG output instead of a tensor',
    });
    expect(failures).toEqual([['predict', 'RESPONSE_TOO_LARGE']]);
    expect(await store.hasAnswer('big')).toBe(false);
  });

  it('should measure a JSON answer by its encoded bytes and store those bytes', async () => {
    const body = { values: 'x'.repeat(100) };
    const small = setup({ run: () => Promise.resolve({ type: 'json', body }) }, 4096);
    const tight = setup({ run: () => Promise.resolve({ type: 'json', body }) }, 100);
    await small.store.putRequest('j', [], {});
    await tight.store.putRequest('j', [], {});

    await small.executor.run(attempt('j'));
    const refused = await tight.executor.run(attempt('j')).catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(ResponseTooLargeError);
    expect((refused as ResponseTooLargeError).details()).toEqual({
      bytes: JSON.stringify(body).length,
      limit: 100,
      setting: 'MAX_RESPONSE_BYTES',
    });

    const stored = await small.store.answer('j');
    expect(stored?.type === 'json' ? stored.encoded?.toString() : undefined).toBe(
      JSON.stringify(body),
    );
  });
});
