import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { REPO_ROOT, startTestApp } from '../support/http-app';

describe('models API (embedded mode)', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await startTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('GET /healthz should answer that the process is alive', async () => {
    const response = await request(app.getHttpServer()).get('/healthz').expect(200);

    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz should be ready with the bundled model loaded and no Redis configured', async () => {
    const response = await request(app.getHttpServer()).get('/readyz').expect(200);

    expect(response.body.redis).toBe('not configured');
    expect(response.body.defaultModel).toEqual({ name: 'fashion-mnist', ready: true });
    expect(response.body.models).toContainEqual(
      expect.objectContaining({ name: 'fashion-mnist', status: 'ready', executionProvider: 'cpu' }),
    );
  });

  it('GET /v1/models should list the bundled model', async () => {
    const response = await request(app.getHttpServer()).get('/v1/models').expect(200);

    expect(response.body.defaultModel).toBe('fashion-mnist');
    expect(response.body.models).toContainEqual(
      expect.objectContaining({ name: 'fashion-mnist', status: 'ready', labelCount: 10 }),
    );
  });

  it('GET /v1/models/{name} should describe inputs, outputs, labels and targetable layers', async () => {
    const response = await request(app.getHttpServer()).get('/v1/models/fashion-mnist').expect(200);

    expect(response.body.input).toMatchObject({ height: 28, width: 28, background: 'black' });
    expect(response.body.inputs).toEqual([
      { name: 'input', type: 'float32', shape: [expect.anything(), 1, 28, 28] },
    ]);
    expect(response.body.outputs[0]).toMatchObject({ name: 'logits', type: 'float32' });
    expect(response.body.labels).toContain('Ankle boot');
    expect(response.body.executionProvider).toBe('cpu');
    expect(response.body.layers.length).toBeGreaterThan(0);
    for (const layer of response.body.layers) {
      expect(layer).toEqual({
        value: expect.any(String),
        node: expect.any(String),
        opType: expect.any(String),
        shape: expect.any(Array),
      });
      expect(layer.shape).toHaveLength(4);
    }
    const layers = response.body.layers as { value: string }[];
    expect(layers.map((l) => l.value)).toContain(response.body.defaultLayer);
  });

  it('GET /v1/models/{name} should answer 404 MODEL_NOT_FOUND for an unknown model', async () => {
    const response = await request(app.getHttpServer()).get('/v1/models/resnet-9000').expect(404);

    expect(response.body.error.code).toBe('MODEL_NOT_FOUND');
    expect(response.body.error.message).toContain('"resnet-9000"');
    expect(response.body.error.message).toContain('fashion-mnist');
  });

  it('an unknown route should answer a JSON error', async () => {
    const response = await request(app.getHttpServer()).get('/v2/nothing').expect(404);

    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });
});

describe('a DEFAULT_MODEL that is not in the repository', () => {
  it('stops the start with INVALID_CONFIGURATION naming DEFAULT_MODEL and listing the models', async () => {
    await expect(startTestApp({ DEFAULT_MODEL: 'not-there' })).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIGURATION',
        message: expect.stringMatching(
          /^DEFAULT_MODEL="not-there" is invalid: expected one of the models of MODEL_REPOSITORY \(.+\): .*fashion-mnist/,
        ),
      }),
    );
  });
});

describe('POST /v1/models/{name}/predict', () => {
  let app: NestFastifyApplication;
  let truth: Record<string, { index: number; label: string }>;

  beforeAll(async () => {
    app = await startTestApp();
    const labels: Record<string, { class: number; label: string }> = JSON.parse(
      await fs.readFile(path.join(REPO_ROOT, 'examples/labels.json'), 'utf8'),
    );
    // The twelve Fashion-MNIST test images, named <test index>-<label>.png, with their true labels.
    truth = Object.fromEntries(
      Object.entries(labels)
        .filter(([file]) => /^\d{4}-.+\.png$/.test(file))
        .map(([file, entry]) => [file, { index: entry.class, label: entry.label }]),
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('should classify at least 10 of the 12 committed Fashion-MNIST examples correctly', async () => {
    let correct = 0;

    for (const [file, expected] of Object.entries(truth)) {
      const response = await request(app.getHttpServer())
        .post('/v1/models/fashion-mnist/predict')
        .attach('image', path.join(REPO_ROOT, 'examples', file))
        .expect(200);
      if (response.body.predictions[0].top[0].index === expected.index) {
        correct += 1;
      }
    }

    expect(Object.keys(truth)).toHaveLength(12);
    expect(correct).toBeGreaterThanOrEqual(10);
  });

  it('should answer top-k labels with probabilities that come from a softmax of the logits', async () => {
    const [file] = Object.keys(truth);
    const response = await request(app.getHttpServer())
      .post('/v1/models/fashion-mnist/predict?top_k=10')
      .attach('image', path.join(REPO_ROOT, 'examples', file))
      .expect(200);

    const top = response.body.predictions[0].top as {
      index: number;
      label: string;
      probability: number;
    }[];
    expect(response.body.softmaxApplied).toBe(true);
    expect(response.body.outputKind).toBe('logits');
    expect(top).toHaveLength(10);
    expect(top.reduce((sum, entry) => sum + entry.probability, 0)).toBeCloseTo(1, 5);
    expect([...top].sort((a, b) => b.probability - a.probability)).toEqual(top);
    expect(new Set(top.map((t) => t.index)).size).toBe(10);
  });

  it('should accept the raw image as the request body', async () => {
    const [file, expected] = Object.entries(truth)[1];
    const bytes = await fs.readFile(path.join(REPO_ROOT, 'examples', file));

    const response = await request(app.getHttpServer())
      .post('/v1/models/fashion-mnist/predict')
      .set('Content-Type', 'image/png')
      .send(bytes)
      .expect(200);

    expect(response.body.predictions[0].top[0].index).toBe(expected.index);
  });

  it('should classify several images of one request each as if sent alone', async () => {
    const files = Object.keys(truth).slice(0, 3);
    let batch = request(app.getHttpServer()).post('/v1/models/fashion-mnist/predict');
    for (const file of files) {
      batch = batch.attach('image', path.join(REPO_ROOT, 'examples', file));
    }
    const together = (await batch.expect(200)).body.predictions;

    for (const [i, file] of files.entries()) {
      const alone = await request(app.getHttpServer())
        .post('/v1/models/fashion-mnist/predict')
        .attach('image', path.join(REPO_ROOT, 'examples', file))
        .expect(200);
      expect(together[i]).toEqual(alone.body.predictions[0]);
    }
  });

  it('should answer 202 with a job location when async=true, then the result', async () => {
    const [file, expected] = Object.entries(truth)[2];
    const accepted = await request(app.getHttpServer())
      .post('/v1/models/fashion-mnist/predict?async=true')
      .attach('image', path.join(REPO_ROOT, 'examples', file))
      .expect(202);

    expect(accepted.headers.location).toBe(`/v1/jobs/${accepted.body.jobId}`);
    let state = '';
    for (let attempt = 0; attempt < 100 && state !== 'completed'; attempt += 1) {
      state = (await request(app.getHttpServer()).get(accepted.headers.location).expect(200)).body
        .state;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(state).toBe('completed');
    const result = await request(app.getHttpServer())
      .get(`${accepted.headers.location}/result`)
      .expect(200);
    expect(result.body.predictions[0].top[0].index).toBe(expected.index);
  });

  it('should answer 404 JOB_NOT_FOUND for an unknown job', async () => {
    const response = await request(app.getHttpServer()).get('/v1/jobs/nope').expect(404);

    expect(response.body.error.code).toBe('JOB_NOT_FOUND');
  });

  it('should answer 400 INVALID_PARAMETER naming top_k when it is not a positive integer', async () => {
    const [file] = Object.keys(truth);
    const response = await request(app.getHttpServer())
      .post('/v1/models/fashion-mnist/predict?top_k=zero')
      .attach('image', path.join(REPO_ROOT, 'examples', file))
      .expect(400);

    expect(response.body.error.code).toBe('INVALID_PARAMETER');
    expect(response.body.error.message).toContain('"top_k"');
  });
});
