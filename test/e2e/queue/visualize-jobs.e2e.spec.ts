/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as path from 'node:path';

import sharp from 'sharp';
import request from 'supertest';

import { binaryParser } from '../../support/binary.parser';
import { REPO_ROOT } from '../../support/http-app';
import {
  dropPrefix,
  eventually,
  inspectQueue,
  type QueueTestApp,
  startQueueApp,
  uniquePrefix,
} from '../../support/queue/queue-test.env';
import { readNpyBuffer } from '../visualize/npy-buffer.reader';
import { readOnnxFile, type OnnxFile } from '../visualize/onnx-file.reader';

const MODEL = '/v1/models/fashion-mnist';
const WORKER = 'visualize-worker';

/**
 * Kernels and histograms go through the queue like every other view: the API
 * (ROLE=api) only enqueues, a separate worker (ROLE=worker) computes, and the
 * job carries no image at all.
 */
describe('kernels and histograms in queue mode (real Redis)', () => {
  const prefix = uniquePrefix('visualize-jobs');
  const queue = inspectQueue(prefix);
  let api: QueueTestApp;
  let worker: QueueTestApp;
  let onnx: OnnxFile;

  beforeAll(async () => {
    const env = { QUEUE_PREFIX: prefix, REQUEST_TIMEOUT_MS: '20000' };
    [api, worker] = await Promise.all([
      startQueueApp({ ...env, ROLE: 'api' }),
      startQueueApp({ ...env, ROLE: 'worker', WORKER_NAME: WORKER }),
    ]);
    onnx = readOnnxFile(path.join(REPO_ROOT, 'models/fashion-mnist/model.onnx'));
  }, 60_000);

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await queue.close();
    await dropPrefix(prefix);
  });

  async function workerJob(jobId: string) {
    const job = await queue.getJob(jobId);
    return {
      kind: job?.data.kind as string,
      fields: Object.keys(job?.data ?? {}).sort(),
      worker: (job?.returnvalue as { worker?: string } | undefined)?.worker,
      size: Buffer.byteLength(JSON.stringify(job?.data)),
    };
  }

  it('should answer GET kernels from a worker with the initializer exactly', async () => {
    const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
    const weight = onnx.initializers.get(conv.input[1])!;

    const response = await request(api.app.getHttpServer())
      .get(`${MODEL}/kernels?layer=${encodeURIComponent(conv.name)}&format=npy`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);

    const npy = readNpyBuffer(response.body as Buffer);
    expect(npy.shape).toEqual(weight.dims);
    expect(Array.from(npy.data)).toEqual(Array.from(weight.data));
    const job = await workerJob(response.headers['x-cnn-lens-job-id']);
    expect(job).toMatchObject({ kind: 'kernels', fields: ['kind', 'model'], worker: WORKER });
    expect(job.size).toBeLessThan(1024);
  });

  it('should answer GET kernels as a PNG from a worker', async () => {
    const response = await request(api.app.getHttpServer())
      .get(`${MODEL}/kernels`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200)
      .expect('content-type', 'image/png');

    expect((await sharp(response.body as Buffer).metadata()).format).toBe('png');
    const job = await workerJob(response.headers['x-cnn-lens-job-id']);
    expect(job).toMatchObject({ kind: 'kernels', worker: WORKER });
  });

  it('should answer GET histograms from a worker, counting every weight once', async () => {
    const response = await request(api.app.getHttpServer())
      .get(`${MODEL}/histograms?format=json&bins=8`)
      .expect(200);

    const parameters = (
      response.body as { layers: { parameters: { name: string; counts: number[] }[] }[] }
    ).layers.flatMap((layer) => layer.parameters);
    expect(parameters.length).toBeGreaterThan(0);
    for (const parameter of parameters) {
      const total = parameter.counts.reduce((a, b) => a + b, 0);
      expect(total).toBe(onnx.initializers.get(parameter.name)!.data.length);
    }
    const job = await workerJob(response.headers['x-cnn-lens-job-id']);
    expect(job).toMatchObject({ kind: 'histograms', fields: ['kind', 'model'], worker: WORKER });
  });

  it('should accept async=true for histograms and serve the result under /v1/jobs', async () => {
    const server = api.app.getHttpServer();

    const accepted = await request(server)
      .get(`${MODEL}/histograms?async=true&format=json&bins=4`)
      .expect(202);
    expect(accepted.headers.location).toBe(`/v1/jobs/${accepted.body.jobId}`);

    const done = await eventually(
      async () => (await request(server).get(accepted.headers.location)).body.state === 'completed',
      15_000,
    );
    expect(done).toBe(true);
    const result = await request(server).get(`${accepted.headers.location}/result`).expect(200);
    expect(result.body.bins).toBe(4);
  });

  it('should fail a kernel request on a non-convolution with its code, through the worker', async () => {
    const relu = onnx.nodes.find((node) => node.opType === 'Relu')!;

    const response = await request(api.app.getHttpServer())
      .get(`${MODEL}/kernels?layer=${encodeURIComponent(relu.name)}`)
      .expect(400);

    expect(response.body.error.code).toBe('LAYER_NOT_CONVOLUTION');
    expect(response.body.error.message).toContain(`"${relu.name}" which is a Relu`);
  });
});
