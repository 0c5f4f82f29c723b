/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import request from 'supertest';

import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import { instrumentKeys } from '../../support/queue/instrumented.handlers';
import { enqueuePredict, PREDICT } from '../../support/queue/predict-requests';
import { queueFixture } from '../../support/queue/queue-fixture';
import { eventually, TEST_REDIS_URL } from '../../support/queue/queue-test.env';
import { killAllServices, startService } from '../../support/queue/service.process';

/**
 * One ROLE=all process (src/main.ts's startProcess and signal handling, the
 * handlers instrumented) stopped with SIGTERM while a synchronous request
 * waits for the job it runs and another job waits in the queue.
 */
describe('SIGTERM in ROLE=all with a queue', () => {
  const { prefix, redis, queue, close: closeFixture } = queueFixture('drain-all');
  const keys = instrumentKeys(prefix);

  afterAll(async () => {
    killAllServices();
    await closeFixture();
  });

  it('should finish the job in flight and answer its caller, but take no new job once stopping', async () => {
    const [reference, images] = await Promise.all([ReferenceClassifier.load(), fashionImages(2)]);
    const service = await startService({
      ROLE: 'all',
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      GRPC_PORT: '0',
      WORKER_CONCURRENCY: '1',
      TEST_JOB_DELAY_MS: '1500',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    const base = `http://127.0.0.1:${service.httpPort}`;

    const inFlight = request(base)
      .post(`${PREDICT}?top_k=1`)
      .set('content-type', 'image/png')
      .send(images[0])
      .then((response) => response);
    expect(await eventually(async () => (await queue.getActiveCount()) === 1, 10_000, 10)).toBe(
      true,
    );
    const queuedId = await enqueuePredict(base, images[1]);
    service.child.kill('SIGTERM');

    const answered = await inFlight;
    const code = await service.exited;

    expect({ code, log: code === 0 ? '' : service.output.slice(-8).join('\n') }).toEqual({
      code: 0,
      log: '',
    });
    expect(answered.status).toBe(200);
    expect(answered.body.predictions[0].top[0].index).toBe((await reference.top1(images[0])).index);
    expect(await queue.getJobState(queuedId)).toBe('waiting');
    expect(await redis.hget(keys.startedKey, queuedId)).toBeNull();
    await reference.release();
  });
});
