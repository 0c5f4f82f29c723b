/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { REPO_ROOT, startTestApp } from '../../support/http-app';
import {
  type LabelledModelRepository,
  labelledModelRepository,
  TRICKY_LABELS,
} from '../../support/labelled-model.repository';
import {
  dropPrefix,
  type QueueTestApp,
  startQueueApp,
  uniquePrefix,
} from '../../support/queue/queue-test.env';
import { bodyOf, postImages } from './explain-request.helper';

const JSON_TENSOR = 'output=tensor&format=json&resolution=layer';

/**
 * The bundled model under TRICKY_LABELS: "T-shirt, top" (0), "top1" (7) and
 * "7" (9, the ankle boot). Every label can be named, and the ordinary forms
 * keep their meaning.
 */
describe('explanation targets naming labels that look like other forms', () => {
  let repository: LabelledModelRepository;
  let app: NestFastifyApplication;
  let boot: Buffer;

  beforeAll(async () => {
    repository = await labelledModelRepository();
    app = await startTestApp({ MODEL_REPOSITORY: repository.root });
    boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  }, 60_000);

  afterAll(async () => {
    await app.close();
    await repository.remove();
  });

  const classOf = async (query: string) => {
    const response = await postImages(app, `/v1/explain?${JSON_TENSOR}&${query}`, [boot]).expect(
      200,
    );
    const body = bodyOf(response);
    expect(body.results).toBeUndefined();
    return [body.class_index, body.label];
  };

  const classesOf = (response: request.Response) =>
    bodyOf(response).results.map((result) => [result.class_index, result.label]);

  it.each([
    ['target=T-shirt%2C%20top', 0, 'T-shirt, top'],
    ['target=t-shirt%2C%20TOP', 0, 'T-shirt, top'],
    ['target=label%3AT-shirt%2C%20top', 0, 'T-shirt, top'],
    ['target=%22T-shirt%2C%20top%22', 0, 'T-shirt, top'],
    ['target=7', 7, 'top1'],
    ['target=index:7', 7, 'top1'],
    ['target=label:7', 9, '7'],
    ['target=%227%22', 9, '7'],
    ['target=label:top1', 7, 'top1'],
    ['target=LABEL:TOP1', 7, 'top1'],
    ['target=top1', 9, '7'],
    ['target=TOP1', 9, '7'],
    ['target=trouser', 1, 'Trouser'],
  ])('%s should explain class %s (%j), as one map', async (query, index, label) => {
    expect(await classOf(query)).toEqual([index, label]);
  });

  it('should take a form field with a comma as the label it names', async () => {
    const response = await postImages(app, `/v1/explain?${JSON_TENSOR}`, [boot], {
      target: 'T-shirt, top',
    }).expect(200);

    expect(bodyOf(response).class_index).toBe(0);
  });

  it('should read a repeated target in the query as a list, each value whole', async () => {
    const response = await postImages(
      app,
      `/v1/explain?${JSON_TENSOR}&target=T-shirt%2C%20top&target=label:7&target=7`,
      [boot],
    ).expect(200);

    expect(classesOf(response)).toEqual([
      [0, 'T-shirt, top'],
      [9, '7'],
      [7, 'top1'],
    ]);
  });

  it('should read repeated target form fields as a list, and the query and the form together', async () => {
    const response = await request(app.getHttpServer())
      .post(`/v1/explain?${JSON_TENSOR}&target=Bag`)
      .field('target', 'T-shirt, top')
      .field('target', 'label:top1')
      .attach('image', boot, 'boot.png')
      .expect(200);

    expect(classesOf(response)).toEqual([
      [8, 'Bag'],
      [0, 'T-shirt, top'],
      [7, 'top1'],
    ]);
  });

  it('should read a list of quoted labels and other forms in one value', async () => {
    const target = encodeURIComponent('"T-shirt, top",7,"7",topk:2');
    const response = await postImages(app, `/v1/explain?${JSON_TENSOR}&target=${target}`, [
      boot,
    ]).expect(200);

    expect(classesOf(response).slice(0, 3)).toEqual([
      [0, 'T-shirt, top'],
      [7, 'top1'],
      [9, '7'],
    ]);
    expect(classesOf(response)).toHaveLength(5);
  });

  it('should answer LABEL_NOT_FOUND quoting every label and suggesting the closest', async () => {
    const response = await postImages(app, `/v1/explain?target=T-shirt`, [boot]).expect(404);

    expect(response.body.error).toEqual({
      code: 'LABEL_NOT_FOUND',
      message:
        'parameter "target": expected a class index, top1, topk:N or one of the model\'s labels ("T-shirt, top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "top1", "Bag", "7"), got "T-shirt"; did you mean "T-shirt, top" or "Shirt"?',
      details: {
        label: 'T-shirt',
        labels: [...TRICKY_LABELS],
        closest: ['T-shirt, top', 'Shirt'],
      },
    });
  });
});

describe('a repeated target through the queue (real Redis)', () => {
  const prefix = uniquePrefix('explain-targets');
  let repository: LabelledModelRepository;
  let service: QueueTestApp;

  beforeAll(async () => {
    repository = await labelledModelRepository();
    service = await startQueueApp({
      ROLE: 'all',
      QUEUE_PREFIX: prefix,
      MODEL_REPOSITORY: repository.root,
      REQUEST_TIMEOUT_MS: '30000',
    });
  }, 60_000);

  afterAll(async () => {
    await service.close();
    await dropPrefix(prefix);
    await repository.remove();
  });

  it('should reach the worker as the same list of values, each read whole', async () => {
    const boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
    const response = await postImages(
      service.app,
      `/v1/explain?${JSON_TENSOR}&target=T-shirt%2C%20top&target=label:7&target=label:7`,
      [boot],
    ).expect(200);

    expect(bodyOf(response).results.map((result) => [result.class_index, result.label])).toEqual([
      [0, 'T-shirt, top'],
      [9, '7'],
      [9, '7'],
    ]);
  });
});
