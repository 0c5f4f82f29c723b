import { InvalidParameterError } from '../../../src/errors/invalid-parameter.error';
import { JobCancelledError } from '../../../src/errors/job-cancelled.error';
import { ResponseTooLargeError } from '../../../src/errors/response-too-large.error';
import { JobExecutor, type JobAttempt } from '../../../src/jobs/job.executor';
import {
  type JobContext,
  type JobHandler,
  MAX_ANSWER_BYTES_OPTION,
} from '../../../src/jobs/job-handler';
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

function setup(handler: JobHandler, maxResponseBytes = 1024 * 1024, progressQuietMs = 0) {
  const store = new MemoryJobStore({ inputTtlSeconds: 60, resultTtlSeconds: 60 });
  const failures: [JobKind, string][] = [];
  const executor = new JobExecutor(
    new Map<JobKind, JobHandler>([['predict', handler]]),
    store,
    { count: (kind, code) => failures.push([kind, code]) },
    silentLogger,
    { maxResponseBytes, progressQuietMs },
  );
  return { store, failures, executor };
}

/** A handler that starts, then waits for its signal, as a method with many model runs does between them. */
class SignalWaitingHandler implements JobHandler {
  startedAt: number | undefined;
  abortedAt: number | undefined;

  run(_data: JobData, context: JobContext): Promise<JobAnswer> {
    this.startedAt = Date.now();
    return new Promise((_resolve, reject) => {
      context.signal.addEventListener(
        'abort',
        () => {
          this.abortedAt = Date.now();
          reject(new Error('stopped between two model runs'));
        },
        { once: true },
      );
    });
  }
}

/** A binary answer of `size` bytes that records the limit it was given. */
class SizedAnswerHandler implements JobHandler {
  limits: number[] = [];

  constructor(private readonly size: number) {}

  run(_data: JobData, context: JobContext): Promise<JobAnswer> {
    this.limits.push(context.maxAnswerBytes);
    return Promise.resolve({
      type: 'binary',
      contentType: 'application/x-npy',
      data: Buffer.alloc(this.size),
      metadata: {},
    });
  }
}

/** Rejects when `promise` has not settled within `ms`, so a signal that never comes fails the test, not Jest's timeout. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
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

  it('should not write the progress of a job younger than the quiet period, and write it after', async () => {
    const reports: number[] = [];
    const handler: JobHandler = {
      run: async (_data, context) => {
        await context.progress(0.2); // at once: not written
        await new Promise((resolve) => setTimeout(resolve, 120));
        await context.progress(0.6); // after the quiet period: written
        return { type: 'json', body: {} };
      },
    };
    const { store, executor } = setup(handler, 1024, 100);
    await store.putRequest('jq', [Buffer.alloc(1)], {});

    expect(await executor.run(attempt('jq', reports))).toBe('answered');

    expect(reports).toEqual([0.6]);
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
        'the answer would take 5000 bytes, more than the limit of 4096 bytes (MAX_RESPONSE_BYTES); ask for less: fewer or smaller images, or fewer targets, layers or channels',
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

  describe('the job context', () => {
    it('should abort context.signal within a second of the job being cancelled while it runs, and fail the run with JOB_CANCELLED', async () => {
      const handler = new SignalWaitingHandler();
      const { store, executor, failures } = setup(handler);
      await store.putRequest('long', [Buffer.alloc(1)], {});

      const running = executor.run(attempt('long')).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(handler.startedAt).toBeDefined();
      const cancelledAt = Date.now();
      await store.flagCancelled('long');
      const error = await within(running, 3000);

      expect(error).toBeInstanceOf(JobCancelledError);
      expect(error).toMatchObject({ code: 'JOB_CANCELLED', jobId: 'long' });
      expect((handler.abortedAt ?? Infinity) - cancelledAt).toBeLessThan(1000);
      expect(failures).toEqual([['predict', 'JOB_CANCELLED']]);
      expect(await store.hasAnswer('long')).toBe(false);
    });

    it('should leave context.signal alone while the job is not cancelled', async () => {
      let signal: AbortSignal | undefined;
      const { store, executor } = setup({
        run: async (_data, context) => {
          signal = context.signal;
          await new Promise((resolve) => setTimeout(resolve, 1200));
          return { type: 'json', body: { aborted: context.signal.aborted } };
        },
      });
      await store.putRequest('calm', [], {});

      await executor.run(attempt('calm'));

      expect(signal?.aborted).toBe(false);
      const answer = await store.answer('calm');
      expect(answer?.type === 'json' ? answer.body : undefined).toEqual({ aborted: false });
    });

    it(`should hold the answer to the job's ${MAX_ANSWER_BYTES_OPTION} when it is below MAX_RESPONSE_BYTES, naming GRPC_MAX_MESSAGE_BYTES`, async () => {
      const handler = new SizedAnswerHandler(5000);
      const { store, executor, failures } = setup(handler, 1024 * 1024);
      await store.putRequest('rpc', [Buffer.alloc(1)], { [MAX_ANSWER_BYTES_OPTION]: 4096 });

      const error = await executor.run(attempt('rpc')).catch((e: unknown) => e);

      expect(handler.limits).toEqual([4096]);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect(error).toMatchObject({
        code: 'RESPONSE_TOO_LARGE',
        retryable: false,
        message: expect.stringContaining(
          'the answer would take 5000 bytes, more than the limit of 4096 bytes (GRPC_MAX_MESSAGE_BYTES)',
        ),
      });
      expect((error as ResponseTooLargeError).details()).toEqual({
        bytes: 5000,
        limit: 4096,
        setting: 'GRPC_MAX_MESSAGE_BYTES',
      });
      expect(failures).toEqual([['predict', 'RESPONSE_TOO_LARGE']]);
      expect(await store.hasAnswer('rpc')).toBe(false);
    });

    it(`should never let ${MAX_ANSWER_BYTES_OPTION} raise the limit above MAX_RESPONSE_BYTES`, async () => {
      const handler = new SizedAnswerHandler(5000);
      const { store, executor } = setup(handler, 4096);
      await store.putRequest('greedy', [], { [MAX_ANSWER_BYTES_OPTION]: 1024 * 1024 });

      const error = await executor.run(attempt('greedy')).catch((e: unknown) => e);

      expect(handler.limits).toEqual([4096]);
      expect((error as ResponseTooLargeError).details()).toEqual({
        bytes: 5000,
        limit: 4096,
        setting: 'MAX_RESPONSE_BYTES',
      });
    });

    it('should give MAX_RESPONSE_BYTES as context.maxAnswerBytes when the job asks for no lower limit', async () => {
      const handler = new SizedAnswerHandler(10);
      const { store, executor } = setup(handler, 4096);
      await store.putRequest('plain', [], {});

      await executor.run(attempt('plain'));

      expect(handler.limits).toEqual([4096]);
    });
  });
});
