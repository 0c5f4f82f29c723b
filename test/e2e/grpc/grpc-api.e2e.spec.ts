/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import request from 'supertest';

import type { AppServices } from '../../../src/app.module';
import { createInlineServices } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { REPO_ROOT } from '../../support/http-app';

import { rejection } from '../../support/grpc-rejection';
import { fashionImages, ReferenceClassifier } from '../../support/queue/fashion-images';
import {
  errorCodeOf,
  type GrpcTestClient,
  healthClient,
  reflectedServices,
} from '../../support/queue/grpc-clients';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import {
  delayHandlers,
  instrumentHandlers,
  instrumentKeys,
} from '../../support/queue/instrumented.handlers';
import { queueFixture } from '../../support/queue/queue-fixture';
import { RedisServer } from '../../support/queue/redis-server';
import { silentLogger } from '../../support/silent-logger';
import {
  dropPrefix,
  eventually,
  inspectQueue,
  type QueueTestApp,
  startQueueApp,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../support/queue/queue-test.env';

describe('gRPC API (cnnlens.v1.CnnLens) in queue mode', () => {
  const { prefix, redis, queue, close: closeFixture } = queueFixture('grpc');
  const keys = instrumentKeys(prefix);
  let service: QueueTestApp;
  let grpc: GrpcTestServer;
  let reference: ReferenceClassifier;
  let images: Buffer[];
  let delayMs = 0;

  beforeAll(async () => {
    service = await startQueueApp(
      { ROLE: 'all', QUEUE_PREFIX: prefix, REQUEST_TIMEOUT_MS: '20000' },
      {
        wrapHandlers: (handlers) =>
          instrumentHandlers(
            delayHandlers(handlers, () => delayMs),
            { redis, delayMs: 0, ...keys },
          ),
      },
    );
    grpc = await startGrpcTestServer(service.process.services);
    reference = await ReferenceClassifier.load();
    images = await fashionImages(2);
  });

  afterAll(async () => {
    await grpc.close();
    await service.close();
    await closeFixture();
    await reference.release();
  });

  it('Predict should give the reference class for each image of a batch', async () => {
    const response = await grpc.client.call<{
      model: string;
      predictions: { top: { index: number; label: string; probability: number }[] }[];
      job_id: string;
    }>('Predict', { images, top_k: 3 });

    expect(response.model).toBe('fashion-mnist');
    expect(response.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.predictions).toHaveLength(2);
    for (const [index, prediction] of response.predictions.entries()) {
      const expected = await reference.top1(images[index]);
      expect(prediction.top).toHaveLength(3);
      expect(prediction.top[0].index).toBe(expected.index);
      expect(prediction.top[0].probability).toBeCloseTo(expected.probability, 4);
    }
  });

  it('Predict should answer as REST does for the same image', async () => {
    const rest = await request(service.app.getHttpServer())
      .post('/v1/models/fashion-mnist/predict?top_k=2')
      .set('content-type', 'image/png')
      .send(images[1])
      .expect(200);

    const rpc = await grpc.client.call<{ predictions: unknown[] }>('Predict', {
      images: [images[1]],
      model: 'fashion-mnist',
      top_k: 2,
    });

    expect(rpc.predictions).toEqual(rest.body.predictions);
  });

  it('ListModels and GetModel should describe the bundled model as REST does', async () => {
    const rest = await request(service.app.getHttpServer())
      .get('/v1/models/fashion-mnist')
      .expect(200);

    const list = await grpc.client.call<{
      default_model: string;
      models: { name: string; status: string; label_count: number }[];
    }>('ListModels', {});
    const model = await grpc.client.call<{
      summary: { name: string; input: { height: number } };
      labels: string[];
      layers: { shape: number[] }[];
    }>('GetModel', { name: 'fashion-mnist' });

    expect(list.default_model).toBe('fashion-mnist');
    expect(list.models).toContainEqual(
      expect.objectContaining({ name: 'fashion-mnist', status: 'ready', label_count: 10 }),
    );
    expect(model.summary).toMatchObject({
      name: 'fashion-mnist',
      input: { height: 28, width: 28, channels: 1, background: 'black' },
    });
    expect(model.labels).toContain('Ankle boot');
    expect(model.labels).toEqual(rest.body.labels);
    const restLayers = rest.body.layers as {
      value: string;
      node: string;
      opType: string;
      shape: number[];
    }[];
    expect(model.layers ?? []).toEqual(
      restLayers.map((layer: { value: string; node: string; opType: string; shape: number[] }) => ({
        value: layer.value,
        node: layer.node,
        op_type: layer.opType,
        shape: layer.shape,
      })),
    );
  });

  it('should map a domain error to its gRPC status, with the stable code in the trailing metadata', async () => {
    const notFound = await rejection(grpc.client.call('GetModel', { name: 'no-such-model' }));
    const badImage = await rejection(
      grpc.client.call('Predict', { images: [Buffer.from('not an image')] }),
    );
    const badParameter = await rejection(grpc.client.call('Explain', { images, method: 'magic' }));
    const noImage = await rejection(grpc.client.call('Predict', { images: [] }));

    expect(notFound.code).toBe(status.NOT_FOUND);
    expect(errorCodeOf(notFound)).toBe('MODEL_NOT_FOUND');
    expect(notFound.details).toBe(
      'model "no-such-model" is not in the model repository; available: fashion-mnist',
    );
    expect(badImage.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(badImage)).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(badParameter.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(badParameter)).toBe('INVALID_PARAMETER');
    expect(badParameter.details).toContain('parameter "method" must be one of cam, gradcam');
    expect(noImage.code).toBe(status.INVALID_ARGUMENT);
    expect(errorCodeOf(noImage)).toBe('IMAGE_MISSING');
    expect(noImage.details).toBe(
      'field "images" must hold the bytes of an image file (PNG, JPEG, WebP, ...), but it was empty',
    );
    const emptyEntries = await rejection(
      grpc.client.call('Predict', { images: [Buffer.alloc(0), Buffer.alloc(0)] }),
    );
    expect(emptyEntries.details).toBe(
      'field "images" must hold the bytes of an image file (PNG, JPEG, WebP, ...) in every entry, but entries 0 and 1 of 2 (counted from 0) were empty',
    );
    const noFeatureMapImage = await rejection(grpc.client.call('FeatureMaps', {}));
    expect(errorCodeOf(noFeatureMapImage)).toBe('IMAGE_MISSING');
    expect(noFeatureMapImage.details).toContain(
      'field "image" must hold the bytes of an image file',
    );
    for (const refused of [noImage, emptyEntries, noFeatureMapImage]) {
      expect(refused.details).not.toMatch(/multipart|content.type/i);
    }
  });

  it('should answer DEADLINE_EXCEEDED for a deadline shorter than the job, and remove the queued job', async () => {
    delayMs = 1500;
    const blocker = await service.process.services.jobs.submit(
      'predict',
      'fashion-mnist',
      [images[0]],
      { top_k: 1 },
    );
    expect(
      await eventually(async () => (await redis.hexists(keys.startedKey, blocker)) === 1, 5000, 5),
    ).toBe(true);

    const startedBefore = Object.keys(await redis.hgetall(keys.startedKey)).length;

    const expired = await rejection(grpc.client.call('Predict', { images: [images[1]] }, 300));

    expect(expired.code).toBe(status.DEADLINE_EXCEEDED);
    const removed = await eventually(
      async () => (await queue.getJobCounts('waiting')).waiting === 0,
      500,
      10,
    );
    expect(removed).toBe(true);
    expect(await queue.getJobState(blocker)).toBe('active');
    await service.process.services.jobs.wait(blocker, 10_000);
    delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(Object.keys(await redis.hgetall(keys.startedKey))).toHaveLength(startedBefore);
    expect(await queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('should serve grpc.health.v1 and server reflection', async () => {
    const address = `127.0.0.1:${grpc.server.port}`;
    const health = healthClient(address);

    const [overall, cnnLens, services] = await Promise.all([
      health.call<{ status: string }>('Check', { service: '' }),
      health.call<{ status: string }>('Check', { service: 'cnnlens.v1.CnnLens' }),
      reflectedServices(address),
    ]).finally(() => health.close());

    expect(overall.status).toBe('SERVING');
    expect(cnnLens.status).toBe('SERVING');
    expect(services).toEqual(
      expect.arrayContaining(['cnnlens.v1.CnnLens', 'grpc.health.v1.Health']),
    );
  });
});

describe('gRPC message size limits', () => {
  const prefix = uniquePrefix('grpc-limit');
  let service: QueueTestApp;
  let grpc: GrpcTestServer;

  beforeAll(async () => {
    service = await startQueueApp({
      ROLE: 'all',
      QUEUE_PREFIX: prefix,
      GRPC_MAX_MESSAGE_BYTES: '4096',
      MAX_UPLOAD_BYTES: '3000',
    });
    grpc = await startGrpcTestServer(service.process.services);
  });

  afterAll(async () => {
    await grpc.close();
    await service.close();
    await dropPrefix(prefix);
  });

  it('should refuse a request past GRPC_MAX_MESSAGE_BYTES with RESOURCE_EXHAUSTED', async () => {
    const [large] = await fashionImages(1, 200);
    expect(large.length).toBeGreaterThan(4096);

    const refused = await rejection(grpc.client.call('Predict', { images: [large] }));

    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/Received message larger than max \(\d+ vs 4096\)/);
  });

  it('should refuse images over MAX_UPLOAD_BYTES in all with RESOURCE_EXHAUSTED and PAYLOAD_TOO_LARGE, queueing nothing', async () => {
    // two of them pass the message limit (4096) but not MAX_UPLOAD_BYTES (3000)
    const [image] = await fashionImages(1, 24);
    expect(image.length).toBeGreaterThan(1500);
    expect(image.length).toBeLessThan(2000);
    const queue = inspectQueue(prefix);

    const refused = await rejection(grpc.client.call('Predict', { images: [image, image] }));

    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorCodeOf(refused)).toBe('PAYLOAD_TOO_LARGE');
    expect(refused.details).toBe(
      `field "images" may hold at most 3000 bytes of images in all (MAX_UPLOAD_BYTES), but it held ${2 * image.length}; send fewer or smaller images`,
    );
    expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({
      waiting: 0,
      active: 0,
      completed: 0,
      failed: 0,
    });
    await grpc.client.call('Predict', { images: [image] });
    await queue.close();
  });

  /**
   * The job of a kind, run for the call just made: failed in the worker with
   * RESPONSE_TOO_LARGE, never retried, and nothing under its result keys.
   */
  async function expectRefusedByWorker(kind: string): Promise<void> {
    const queue = inspectQueue(prefix);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const jobs = (await queue.getJobs(['failed', 'completed'])).filter(
        (job) => job.name === kind,
      );
      expect(jobs).toHaveLength(1);
      const [job] = jobs;
      expect({
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        code: (JSON.parse(job.failedReason ?? '{}') as { code?: string }).code,
      }).toEqual({ state: 'failed', attemptsMade: 1, code: 'RESPONSE_TOO_LARGE' });
      expect(await redis.keys(`${prefix}:cnn-lens-jobs:result:${job.id ?? ''}*`)).toEqual([]);
    } finally {
      redis.disconnect();
      await queue.close();
    }
  }

  it('should refuse an answer past GRPC_MAX_MESSAGE_BYTES in the worker, before storing it, with RESOURCE_EXHAUSTED and RESPONSE_TOO_LARGE', async () => {
    const [image] = await fashionImages(1, 16);

    const refused = await rejection(grpc.client.call('FeatureMaps', { image, format: 'tensor' }));

    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorCodeOf(refused)).toBe('RESPONSE_TOO_LARGE');
    // 4096 less the room kept for the reply around the answer
    expect(refused.details).toMatch(
      /^the answer would take \d+ bytes, more than the limit of 3072 bytes \(GRPC_MAX_MESSAGE_BYTES\); ask for less: fewer or smaller images, or fewer targets, layers or channels$/,
    );
    await expectRefusedByWorker('feature-maps');
  });

  it('should refuse an Explain tensor past GRPC_MAX_MESSAGE_BYTES in the worker, storing nothing in Redis', async () => {
    // a small file of 64x64 pixels: its map at the image's size is 16 KiB of float32
    const image = await sharp({
      create: { width: 64, height: 64, channels: 3, background: '#808080' },
    })
      .png()
      .toBuffer();
    expect(image.length).toBeLessThan(3000);

    const refused = await rejection(
      grpc.client.call('Explain', { images: [image], output: 'tensor', resolution: 'image' }),
    );

    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorCodeOf(refused)).toBe('RESPONSE_TOO_LARGE');
    expect(refused.details).toMatch(
      /^the answer would take (at least )?\d+ bytes, more than the limit of 3072 bytes \(GRPC_MAX_MESSAGE_BYTES\)/,
    );
    await expectRefusedByWorker('explain');
  });
});

describe('grpc.health.v1 following readiness', () => {
  let redis: RedisServer;
  const prefix = uniquePrefix('grpc-health');
  let service: QueueTestApp;
  let grpc: GrpcTestServer;
  let health: GrpcTestClient;

  beforeAll(async () => {
    redis = await RedisServer.start();
    service = await startQueueApp({
      ROLE: 'api',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      REDIS_COMMAND_TIMEOUT_MS: '300',
    });
    grpc = await startGrpcTestServer(service.process.services);
    health = healthClient(`127.0.0.1:${grpc.server.port}`);
  });

  afterAll(async () => {
    health.close();
    await grpc.close();
    await service.close();
    await redis.destroy();
  });

  const statuses = async (): Promise<string[]> =>
    Promise.all(
      ['', 'cnnlens.v1.CnnLens'].map(
        async (name) => (await health.call<{ status: string }>('Check', { service: name })).status,
      ),
    );

  it('should say NOT_SERVING while Redis is unreachable, as /readyz answers 503, and SERVING again once it is back', async () => {
    expect(
      await eventually(async () => (await statuses()).every((s) => s === 'SERVING'), 5000),
    ).toBe(true);

    await redis.stop();
    const down = await eventually(
      async () => (await statuses()).every((s) => s === 'NOT_SERVING'),
      5000,
      100,
    );
    const ready = await request(service.app.getHttpServer()).get('/readyz');
    await redis.resume();

    expect(down).toBe(true);
    expect(ready.status).toBe(503);
    expect(
      await eventually(async () => (await statuses()).every((s) => s === 'SERVING'), 10_000, 100),
    ).toBe(true);
  });
});

describe('grpc.health.v1 when the default model did not load', () => {
  let repository: string;
  let services: AppServices;
  let grpc: GrpcTestServer;

  beforeAll(async () => {
    repository = await mkdtemp(path.join(tmpdir(), 'cnn-lens-models-'));
    await cp(path.join(REPO_ROOT, 'models/fashion-mnist'), path.join(repository, 'fashion-mnist'), {
      recursive: true,
    });
    await mkdir(path.join(repository, 'broken'));
    await writeFile(path.join(repository, 'broken/model.onnx'), 'not an onnx model');
    const config = loadConfig({ MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'broken' });
    services = await createInlineServices(config, silentLogger);
    grpc = await startGrpcTestServer(services);
  });

  afterAll(async () => {
    await grpc.close();
    await services.jobs.close();
    await rm(repository, { recursive: true, force: true });
  });

  it('should say NOT_SERVING, as /readyz answers 503', async () => {
    const health = healthClient(`127.0.0.1:${grpc.server.port}`);

    const overall = await health
      .call<{ status: string }>('Check', { service: '' })
      .finally(() => health.close());

    expect(overall.status).toBe('NOT_SERVING');
  });
});
