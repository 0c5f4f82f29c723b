/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { postImages } from './explain-request.helper';

describe('explanation errors: stable codes, statuses and messages', () => {
  let app: NestFastifyApplication;
  let boot: Buffer;

  beforeAll(async () => {
    app = await startTestApp();
    boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  const cases: [string, Record<string, string>, number, string, RegExp][] = [
    [
      'an unknown model',
      { model: 'nope' },
      404,
      'MODEL_NOT_FOUND',
      /model "nope" is not in the model repository; available: .*fashion-mnist/,
    ],
    [
      'an unknown layer, listing the valid ones',
      { layer: 'conv99' },
      404,
      'LAYER_NOT_FOUND',
      /Parameter layer: expected a value or node name of the model, got "conv99"; valid layers: .*features/,
    ],
    [
      'a layer without spatial extent',
      { layer: '/model/GlobalAveragePool_output_0' },
      422,
      'LAYER_NOT_SPATIAL',
      /expected a layer with spatial extent .* got "\/model\/GlobalAveragePool_output_0" of shape \[1, \d+, 1, 1\]; valid layers: .*features/,
    ],
    [
      'a class index out of range',
      { target: '10' },
      404,
      'CLASS_NOT_FOUND',
      /Parameter target: expected a class index from 0 to 9, a label, top1 or topk:N, got "10"/,
    ],
    ['an unknown label', { target: 'Hat' }, 404, 'LABEL_NOT_FOUND', /Ankle boot\), got "Hat"/],
    [
      'cam on a layer not followed by global pooling then a linear layer',
      { method: 'cam', layer: '/model/MaxPool_1_output_0' },
      422,
      'CAM_NOT_APPLICABLE',
      /cam needs the layer to be followed by global average pooling then one linear layer/,
    ],
    [
      'an unknown method',
      { method: 'magic' },
      400,
      'INVALID_PARAMETER',
      /parameter "method" must be one of cam, gradcam/,
    ],
    [
      'topk:0',
      { target: 'topk:0' },
      400,
      'INVALID_PARAMETER',
      /topk:N with N an integer from 1 to 10/,
    ],
    [
      'alpha above 1',
      { alpha: '2' },
      400,
      'INVALID_PARAMETER',
      /parameter "alpha" must be a number from 0 to 1/,
    ],
    [
      'an unknown colormap',
      { colormap: 'rainbow' },
      400,
      'INVALID_PARAMETER',
      /one of jet, turbo, viridis, inferno, magma, gray/,
    ],
  ];

  it.each(cases)('%s should answer %s %s', async (_, fields, status, code, message) => {
    const response = await postImages(app, '/v1/explain', [boot], fields).expect(status);

    expect(response.body.error.code).toBe(code);
    expect(response.body.error.message).toMatch(message);
  });

  it('a request without an image should answer 400 IMAGE_MISSING', async () => {
    const response = await request(app.getHttpServer())
      .post('/gradcam')
      .field('method', 'gradcam')
      .expect(400);

    expect(response.body.error.code).toBe('IMAGE_MISSING');
    expect(response.body.error.message).toMatch(/no image in the request/);
  });
});
