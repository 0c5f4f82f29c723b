import { InvalidParameterError } from '../../../src/errors/invalid-parameter.error';
import { JobAttemptsExhaustedError } from '../../../src/errors/job-attempts-exhausted.error';
import type { QueueFullError } from '../../../src/errors/queue-full.error';
import { RedisUnavailableError } from '../../../src/errors/redis-unavailable.error';
import type { InlineJobRunner } from '../../../src/jobs/inline-job.runner';
import type { JobHandler } from '../../../src/jobs/job-handler';
import { inlineJobs } from '../../support/inline-job-runner';

/** A handler whose runs wait until the test lets them go. */
function gatedHandler() {
  const gates: (() => void)[] = [];
  let runs = 0;
  const handler: JobHandler = {
    run: async () => {
      runs += 1;
      await new Promise<void>((resolve) => gates.push(resolve));
      return { type: 'json', body: { ok: true } };
    },
  };
  return { handler, gates, runs: () => runs };
}

/** Lets every run through, those started later too, until the runner has nothing left. */
async function finishAll(gated: ReturnType<typeof gatedHandler>, jobs: InlineJobRunner) {
  const opener = setInterval(() => gated.gates.splice(0).forEach((open) => open()), 1);
  await jobs.close();
  clearInterval(opener);
}

describe('InlineJobRunner', () => {
  it('should retry a transient failure with backoff and then answer', async () => {
    let runs = 0;
    const { jobs } = inlineJobs({
      run: () => {
        runs += 1;
        return runs < 3
          ? Promise.reject(new RedisUnavailableError('test', `failure ${runs}`))
          : Promise.resolve({ type: 'json', body: { runs } });
      },
    });

    const id = await jobs.submit('predict', 'm', [Buffer.alloc(1)], {});
    const answer = await jobs.wait(id, 5000);

    expect(answer.type === 'json' ? answer.body : undefined).toEqual({ runs: 3 });
    expect(await jobs.status(id)).toMatchObject({ state: 'completed', progress: 1 });
  });

  it("should fail a caller's mistake at once, with its own error and no retry", async () => {
    let runs = 0;
    const error = new InvalidParameterError('layer', 'a layer of the model', 'nope');
    const { jobs } = inlineJobs({
      run: () => {
        runs += 1;
        return Promise.reject(error);
      },
    });

    const id = await jobs.submit('predict', 'm', [], {});

    await expect(jobs.wait(id, 5000)).rejects.toBe(error);
    expect(runs).toBe(1);
    expect((await jobs.status(id)).error).toEqual({
      code: 'INVALID_PARAMETER',
      kind: 'invalid-argument',
      message: error.message,
      details: { parameter: 'layer' },
    });
  });

  it('should hide an unexpected error behind INTERNAL', async () => {
    const { jobs } = inlineJobs({ run: () => Promise.reject(new TypeError('x is undefined')) });

    const id = await jobs.submit('predict', 'm', [], {});

    await expect(jobs.wait(id, 5000)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: 'the job failed unexpectedly',
    });
  });

  it('should answer JOB_TIMEOUT after the wait and keep the job for its result', async () => {
    const gated = gatedHandler();
    const { jobs } = inlineJobs(gated.handler);
    const id = await jobs.submit('predict', 'm', [], {});

    await expect(jobs.wait(id, 20)).rejects.toMatchObject({ code: 'JOB_TIMEOUT' });
    await expect(jobs.result(id)).rejects.toMatchObject({ code: 'JOB_NOT_FINISHED' });

    gated.gates.shift()?.();
    const answer = await jobs.wait(id, 5000);
    expect(answer.type).toBe('json');
  });

  it('should drop a cancelled waiting job without running it, with its images', async () => {
    const gated = gatedHandler();
    const { jobs, store } = inlineJobs(gated.handler, { concurrency: 1 });
    const first = await jobs.submit('predict', 'm', [], {});
    const second = await jobs.submit('predict', 'm', [Buffer.alloc(3)], {});

    await jobs.cancel(second);
    expect(await store.request(second)).toBeUndefined();
    gated.gates.shift()?.();
    await jobs.wait(first, 5000);

    await expect(jobs.wait(second, 5000)).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect(gated.runs()).toBe(1);
  });

  it('should run at most `concurrency` jobs at once', async () => {
    const gated = gatedHandler();
    const { jobs } = inlineJobs(gated.handler, { concurrency: 2 });
    const ids = await Promise.all([1, 2, 3].map(() => jobs.submit('predict', 'm', [], {})));
    await new Promise((resolve) => setImmediate(resolve));

    expect(gated.runs()).toBe(2);
    expect((await jobs.status(ids[2] ?? '')).state).toBe('waiting');

    gated.gates.shift()?.();
    await jobs.wait(ids[0] ?? '', 5000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.runs()).toBe(3);
    gated.gates.splice(0).forEach((open) => open());
    await jobs.close();
  });

  it('should answer JOB_NOT_FOUND for an unknown id', async () => {
    const { jobs } = inlineJobs(gatedHandler().handler);

    await expect(jobs.status('nope')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });

  it('should fail a job whose transient failures outlast JOB_ATTEMPTS with JOB_ATTEMPTS_EXHAUSTED, naming the last error', async () => {
    let runs = 0;
    const { jobs } = inlineJobs(
      {
        run: () => {
          runs += 1;
          return Promise.reject(new RedisUnavailableError('test', `failure ${runs}`));
        },
      },
      { attempts: 2 },
    );

    const id = await jobs.submit('predict', 'm', [], {});
    const error = await jobs.wait(id, 5000).catch((e: unknown) => e);

    expect(runs).toBe(2);
    expect(error).toBeInstanceOf(JobAttemptsExhaustedError);
    expect(error).toMatchObject({ code: 'JOB_ATTEMPTS_EXHAUSTED', kind: 'internal' });
    expect((error as JobAttemptsExhaustedError).details()).toEqual({
      jobId: id,
      attempts: 2,
      lastError: {
        code: 'REDIS_UNAVAILABLE',
        message:
          'the job queue is unavailable: Redis did not answer "test" (failure 2); retry shortly',
      },
    });
    expect((await jobs.status(id)).error?.code).toBe('JOB_ATTEMPTS_EXHAUSTED');
  });

  it('should refuse past QUEUE_MAX_DEPTH waiting jobs with QUEUE_FULL, before storing the images', async () => {
    const gated = gatedHandler();
    const { jobs, store } = inlineJobs(gated.handler, { maxDepth: 2 });
    const stored = jest.spyOn(store, 'putRequest');
    const running = await jobs.submit('predict', 'm', [], {});
    await new Promise((resolve) => setImmediate(resolve));
    await jobs.submit('predict', 'm', [], {});
    await jobs.submit('predict', 'm', [], {});

    const error = await jobs.submit('predict', 'm', [Buffer.alloc(8)], {}).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'QUEUE_FULL',
      kind: 'too-many-requests',
      message:
        'the job queue is full: 2 jobs waiting, at most 2 (QUEUE_MAX_DEPTH); retry after 2 s',
    });
    expect((error as QueueFullError).details()).toEqual({
      depth: 2,
      limit: 2,
      retryAfterSeconds: 2,
    });
    expect(stored).toHaveBeenCalledTimes(3);
    expect(await jobs.depth()).toEqual({ waiting: 2, active: 1, delayed: 0 });

    gated.gates.shift()?.();
    await jobs.wait(running, 5000);
    expect(await jobs.depth()).toEqual({ waiting: 1, active: 1, delayed: 0 });
    await jobs.submit('predict', 'm', [], {});
    await finishAll(gated, jobs);
    expect(await jobs.depth()).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it('should count a job waiting for its retry as delayed', async () => {
    let runs = 0;
    const { jobs } = inlineJobs({
      run: () => {
        runs += 1;
        return runs === 1
          ? Promise.reject(new RedisUnavailableError('test', 'once'))
          : Promise.resolve({ type: 'json', body: {} });
      },
    });

    const id = await jobs.submit('predict', 'm', [], {});
    await new Promise((resolve) => setTimeout(resolve, 1));

    expect(await jobs.depth()).toEqual({ waiting: 0, active: 0, delayed: 1 });
    await jobs.wait(id, 5000);
    expect(await jobs.depth()).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });

  it('should stop waiting at once when the signal aborts, with JOB_CANCELLED', async () => {
    const gated = gatedHandler();
    const { jobs } = inlineJobs(gated.handler);
    const id = await jobs.submit('predict', 'm', [], {});
    const caller = new AbortController();

    const started = Date.now();
    const waiting = jobs.wait(id, 10_000, caller.signal).catch((e: unknown) => e);
    setTimeout(() => caller.abort(), 20);

    expect(await waiting).toMatchObject({ code: 'JOB_CANCELLED' });
    expect(Date.now() - started).toBeLessThan(1000);
    await finishAll(gated, jobs);
  });

  it('should report progress 1 for a completed job', async () => {
    const { jobs } = inlineJobs({
      run: async (_data, context) => {
        await context.progress(0.4);
        return { type: 'json', body: {} };
      },
    });

    const id = await jobs.submit('predict', 'm', [], {});
    await jobs.wait(id, 5000);

    expect((await jobs.status(id)).progress).toBe(1);
  });
});
