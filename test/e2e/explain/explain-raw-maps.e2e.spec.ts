/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';

import { readModelFile } from '../../../src/onnx/model-file.reader';
import { tensorNumbers } from '../../../src/onnx/tensor.data';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { bodyOf, postImages } from './explain-request.helper';

const MODEL_DIR = path.join(REPO_ROOT, 'models/fashion-mnist');
const SANDAL = path.join(REPO_ROOT, 'examples/0008-sandal.png');
const SANDAL_CLASS = '5';
const RAW_JSON = '/v1/explain?output=tensor&format=json&resolution=layer&normalize=false';

const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** The bias of the bundled model's final Gemm for `classIndex`, read from the ONNX file. */
function headBias(classIndex: number): number {
  const graph = readModelFile(path.join(MODEL_DIR, 'model.onnx')).graph;
  const gemm = (graph?.node ?? []).findLast((node) => node.opType === 'Gemm');
  const bias = (graph?.initializer ?? []).find((t) => t.name === gemm?.input[2]);
  const value = bias === undefined ? undefined : tensorNumbers(bias)?.[classIndex];
  if (value === undefined) {
    throw new Error('the bundled model has no Gemm head with a bias initializer');
  }
  return value;
}

/** ReLU then min-max to [0, 1], written out here as docs/methods.md states it. */
function reluMinMaxByHand(values: readonly number[]): number[] {
  const relu = values.map((v) => Math.max(0, v));
  const low = Math.min(...relu);
  const high = Math.max(...relu);
  return relu.map((v) => (high > low ? (v - low) / (high - low) : 0));
}

/**
 * normalize=false answers the map as the method computes it. The checks are
 * identities of the maths, not values recorded from the service: integrated
 * gradients' completeness, and HiResCAM's sum on a layer followed by global
 * average pooling and a linear layer (dS/dA_kij = W_ck / hw, so
 * sum_ij sum_k G_kij A_kij = S_c - b_c).
 */
describe('POST /v1/explain normalize=false (the bundled model)', () => {
  let app: NestFastifyApplication;
  let sandal: Buffer;

  beforeAll(async () => {
    app = await startTestApp();
    sandal = await fs.readFile(SANDAL);
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it('integrated-gradients: the signed attribution sums to score(x) - score(black image)', async () => {
    const black = await sharp({
      create: { width: 28, height: 28, channels: 3, background: '#000000' },
    })
      .png()
      .toBuffer();
    const fields = { method: 'integrated-gradients', target: SANDAL_CLASS };

    const attribution = bodyOf(
      await postImages(app, RAW_JSON, [sandal], { ...fields, steps: '256' }).expect(200),
    );
    const atBlack = bodyOf(
      await postImages(app, RAW_JSON, [black], { ...fields, steps: '2' }).expect(200),
    );

    // One signed plane per input channel of the model: [1, 28, 28], negative values kept.
    expect(attribution.tensor.shape).toEqual([1, 28, 28]);
    expect(Math.min(...attribution.tensor.data)).toBeLessThan(0);
    // At the baseline itself every attribution is (x - x0) * ... = 0.
    expect(Math.max(...atBlack.tensor.data.map(Math.abs))).toBe(0);
    const difference = attribution.score - atBlack.score;
    expect(Math.abs(difference)).toBeGreaterThan(0.1);
    expect(Math.abs(sum(attribution.tensor.data) - difference)).toBeLessThan(
      0.02 * Math.abs(difference),
    );
  });

  it('hirescam on the layer before global average pooling sums to the logit minus the head bias', async () => {
    const body = bodyOf(
      await postImages(app, RAW_JSON, [sandal], {
        method: 'hirescam',
        target: SANDAL_CLASS,
      }).expect(200),
    );

    expect(body.layer).toBe('features');
    expect(body.tensor.shape.length).toBe(2);
    const expected = body.score - headBias(Number(SANDAL_CLASS));
    expect(Math.abs(sum(body.tensor.data) - expected)).toBeLessThan(
      1e-3 * (1 + Math.abs(expected)),
    );
  });

  it('gradcam: the raw map, ReLU-min-maxed here, is the default map; it has values outside [0, 1]', async () => {
    const fields = { method: 'gradcam', target: SANDAL_CLASS };
    const raw = bodyOf(await postImages(app, RAW_JSON, [sandal], fields).expect(200)).tensor;
    const normalized = bodyOf(
      await postImages(
        app,
        '/v1/explain?output=tensor&format=json&resolution=layer',
        [sandal],
        fields,
      ).expect(200),
    ).tensor;

    expect(raw.shape).toEqual(normalized.shape);
    expect(raw.data.some((v) => v < 0 || v > 1)).toBe(true);
    const byHand = reluMinMaxByHand(raw.data);
    expect(
      Math.max(...byHand.map((v, i) => Math.abs(v - (normalized.data[i] ?? NaN)))),
    ).toBeLessThan(1e-6);
  });

  it('saliency and smoothgrad answer signed planes [C, H, W]; smoothgrad with sigma=0 is the gradient', async () => {
    const saliency = bodyOf(
      await postImages(app, RAW_JSON, [sandal], {
        method: 'saliency',
        target: SANDAL_CLASS,
      }).expect(200),
    ).tensor;
    const smooth = bodyOf(
      await postImages(app, RAW_JSON, [sandal], {
        method: 'smoothgrad',
        target: SANDAL_CLASS,
        sigma: '0',
        samples: '2',
      }).expect(200),
    ).tensor;

    expect(saliency.shape).toEqual([1, 28, 28]);
    expect(Math.min(...saliency.data)).toBeLessThan(0);
    expect(smooth.shape).toEqual(saliency.shape);
    expect(
      Math.max(...smooth.data.map((v, i) => Math.abs(v - (saliency.data[i] ?? NaN)))),
    ).toBeLessThan(1e-6);
  });

  it.each([
    [{ method: 'gradcam', output: 'overlay' }, 'output'],
    [{ method: 'guided-gradcam', output: 'tensor' }, 'guided-gradcam'],
    [{ method: 'gradcam', output: 'tensor', aug_smooth: 'true' }, 'aug_smooth'],
  ])('is refused with %j, naming %s', async (fields, named) => {
    const response = await postImages(app, '/v1/explain?normalize=false', [sandal], fields).expect(
      400,
    );

    const error = (response.body as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INVALID_PARAMETER');
    expect(error.message).toContain('normalize');
    expect(error.message).toContain(named);
  });
});
