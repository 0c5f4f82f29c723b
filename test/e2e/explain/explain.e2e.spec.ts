/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';

import { readModelFile } from '../../../src/onnx/model-file.reader';
import { noisyPixels } from '../../fixtures/images/test-images';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { binaryParser, bodyOf, postImages, tensorOf } from './explain-request.helper';

const example = (name: string): Promise<Buffer> =>
  fs.readFile(path.join(REPO_ROOT, 'examples', name));

/** A map's mass on the garment (pixels above 0 in the one-channel image) and in all. */
function garmentMass(map: readonly number[], pixels: Uint8Array): { part: number; total: number } {
  let part = 0;
  let total = 0;
  map.forEach((v, i) => {
    total += v;
    if ((pixels[i] ?? 0) > 0) {
      part += v;
    }
  });
  return { part, total };
}

describe('POST /gradcam, /cam, /v1/explain on the bundled Fashion-MNIST model', () => {
  let app: NestFastifyApplication;
  let boot: Buffer;

  beforeAll(async () => {
    app = await startTestApp();
    boot = await example('0000-ankle-boot.png');
  }, 60_000);

  afterAll(async () => {
    await app.close();
  });

  it('POST /gradcam should answer an overlay PNG at the image size with the metadata in headers', async () => {
    const response = await postImages(app, '/gradcam', [boot])
      .buffer(true)
      .parse(binaryParser)
      .expect(200);

    expect(response.headers['content-type']).toBe('image/png');
    expect(response.headers['x-cnn-lens-model']).toBe('fashion-mnist');
    expect(response.headers['x-cnn-lens-layer']).toBe('features');
    expect(response.headers['x-cnn-lens-method']).toBe('gradcam');
    expect(response.headers['x-cnn-lens-class-index']).toBe('9');
    expect(response.headers['x-cnn-lens-label']).toBe('Ankle boot');
    expect(Number(response.headers['x-cnn-lens-score'])).toBeGreaterThan(0);
    expect(Number(response.headers['x-cnn-lens-time-total-ms'])).toBeGreaterThan(0);
    const meta = await sharp(response.body as Buffer).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 28, 28]);
  });

  it('POST /cam should equal Grad-CAM up to normalisation (global average pooling then one linear layer)', async () => {
    const query = '?output=tensor&format=json&resolution=layer';
    const cam = await postImages(app, `/cam${query}`, [boot]).expect(200);
    const gradcam = await postImages(app, `/gradcam${query}`, [boot]).expect(200);

    expect(cam.body.method).toBe('cam');
    expect(cam.body.tensor.shape).toEqual([14, 14]);
    const worst = Math.max(
      ...bodyOf(cam).tensor.data.map((v, i) => Math.abs(v - gradcam.body.tensor.data[i])),
    );
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it.each([
    'gradcam',
    'gradcam++',
    'hirescam',
    'gradcam-elementwise',
    'xgradcam',
    'layercam',
    'eigencam',
    'eigengradcam',
    'scorecam',
    'ablationcam',
    'saliency',
    'guided-gradcam',
    'integrated-gradients',
  ])(
    'POST /v1/explain?method=%s should answer a finite map in [0, 1] that is not all zeros',
    async (method) => {
      const response = await postImages(
        app,
        `/v1/explain?method=${encodeURIComponent(method)}&output=tensor&format=json`,
        [boot],
        // fewer runs where the method takes the option; other methods refuse it
        method === 'integrated-gradients' ? { steps: '4' } : {},
      ).expect(200);

      const data: number[] = response.body.tensor.data;
      expect(response.body.method).toBe(method);
      expect(response.body.tensor.shape).toEqual([28, 28]);
      expect(data.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      expect(Math.max(...data)).toBeGreaterThan(0);
    },
  );

  it('smoothgrad with a seed should be repeatable', async () => {
    const query =
      '/v1/explain?method=smoothgrad&samples=3&seed=7&output=tensor&format=json&resolution=layer';
    const first = await postImages(app, query, [boot]).expect(200);
    const second = await postImages(app, query, [boot]).expect(200);

    expect(first.body.tensor.data).toEqual(second.body.tensor.data);
  });

  it('guided-backprop as a tensor should keep the input channels [C, H, W]', async () => {
    const response = await postImages(
      app,
      '/v1/explain?method=guided-backprop&output=tensor&format=json&resolution=layer',
      [boot],
    ).expect(200);

    expect(response.body.tensor.shape).toEqual([1, 28, 28]);
  });

  it('should answer a .npy float32 tensor by default, and JSON for Accept: application/json', async () => {
    const npy = await postImages(app, '/gradcam?output=tensor', [boot])
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const json = await postImages(app, '/gradcam?output=tensor', [boot])
      .set('Accept', 'application/json')
      .expect(200);

    expect(npy.headers['content-type']).toBe('application/x-npy');
    const body = npy.body as Buffer;
    expect(body.subarray(1, 6).toString('latin1')).toBe('NUMPY');
    expect(body.toString('latin1', 10, 80)).toContain("'descr': '<f4'");
    expect(body.toString('latin1', 10, 80)).toContain("'shape': (28, 28)");
    expect(json.body.tensor.shape).toEqual([28, 28]);
    expect(json.body.class_index).toBe(9);
  });

  it('a 500x334 image should get a 500x334 heatmap and a [334, 500] tensor', async () => {
    const image = await sharp(noisyPixels(500, 334), {
      raw: { width: 500, height: 334, channels: 3 },
    })
      .png()
      .toBuffer();
    const heatmap = await postImages(app, '/gradcam?output=heatmap', [image])
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const tensor = await postImages(app, '/gradcam?output=tensor&format=json', [image]).expect(200);

    const meta = await sharp(heatmap.body as Buffer).metadata();
    expect([meta.width, meta.height]).toEqual([500, 334]);
    expect(tensor.body.tensor.shape).toEqual([334, 500]);
  });

  it('a constant image should give finite maps (zeros where the map is constant), never NaN', async () => {
    const black = await sharp({
      create: { width: 28, height: 28, channels: 3, background: '#000000' },
    })
      .png()
      .toBuffer();
    for (const method of ['gradcam', 'saliency', 'eigencam']) {
      const response = await postImages(
        app,
        `/v1/explain?method=${method}&output=tensor&format=json&resolution=layer`,
        [black],
      ).expect(200);
      expect(bodyOf(response).tensor.data.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('several images should give one map each, identical to the map of each image sent alone', async () => {
    const images = [boot, await example('0002-trouser.png'), await example('0013-dress.png')];
    const query = '/gradcam?output=tensor&format=json';
    const batch = await postImages(app, query, images).expect(200);
    const alone: { class_index: number; tensor: unknown }[] = [];
    for (const image of images) {
      alone.push((await postImages(app, query, [image]).expect(200)).body);
    }

    expect(bodyOf(batch).results.map((r) => r.image)).toEqual([0, 1, 2]);
    expect(bodyOf(batch).results.map((r) => r.class_index)).toEqual(
      alone.map((a) => a.class_index),
    );
    bodyOf(batch).results.forEach((result, i) => {
      expect(result.tensor).toEqual(alone[i].tensor);
    });
  });

  it('several images as overlays should answer JSON results with base64 PNGs', async () => {
    const response = await postImages(app, '/gradcam', [boot, boot]).expect(200);

    expect(response.body.results).toHaveLength(2);
    const png = Buffer.from(response.body.results[1].png_base64, 'base64');
    expect((await sharp(png).metadata()).format).toBe('png');
  });

  it('target=topk:3 should explain the three best classes, best first', async () => {
    const response = await postImages(app, '/gradcam?target=topk:3&output=tensor&format=json', [
      boot,
    ]).expect(200);

    const results = response.body.results as { class_index: number; score: number }[];
    expect(results).toHaveLength(3);
    expect(results[0]?.class_index).toBe(9);
    expect(new Set(results.map((r) => r.class_index)).size).toBe(3);
    const [first, second, third] = results.map((r) => r.score);
    expect(first).toBeGreaterThanOrEqual(second ?? Infinity);
    expect(second).toBeGreaterThanOrEqual(third ?? Infinity);
  });

  it('target may be a label or an index, and a list of them', async () => {
    const response = await postImages(app, '/gradcam?output=tensor&format=json', [boot], {
      target: 'Sneaker,5',
    }).expect(200);

    expect(bodyOf(response).results.map((r) => [r.class_index, r.label])).toEqual([
      [7, 'Sneaker'],
      [5, 'Sandal'],
    ]);
  });

  it('score=probability should differentiate the softmax output and say so', async () => {
    const response = await postImages(app, '/gradcam?score=probability&output=tensor&format=json', [
      boot,
    ]).expect(200);

    expect(response.body.score_kind).toBe('probability');
    expect(response.body.score).toBeCloseTo(response.body.probability, 6);
    expect(response.body.score).toBeLessThan(1);
  });

  it('aug_smooth and eigen_smooth should give valid maps', async () => {
    for (const option of ['aug_smooth=true', 'eigen_smooth=true']) {
      const response = await postImages(
        app,
        `/gradcam?${option}&output=tensor&format=json&resolution=layer`,
        [boot],
      ).expect(200);
      expect(Math.max(...response.body.tensor.data)).toBe(1);
    }
  });

  it('a layer given by value name should be reported as it is', async () => {
    const described = await postImages(app, '/gradcam?output=tensor&format=json&layer=features', [
      boot,
    ]).expect(200);

    expect(described.body.layer).toBe('features');
  });

  it('a layer given by node name should be resolved and reported as the value it produces', async () => {
    const graph = readModelFile(path.join(REPO_ROOT, 'models/fashion-mnist/model.onnx')).graph;
    const node = graph?.node.find((n) => n.output.includes('features'));
    const nodeName = node?.name ?? '';
    expect(nodeName).not.toBe('');
    expect(nodeName).not.toBe('features');

    const byNode = await postImages(
      app,
      '/gradcam?output=tensor&format=json&resolution=layer',
      [boot],
      { layer: nodeName },
    ).expect(200);
    const byValue = await postImages(
      app,
      '/gradcam?output=tensor&format=json&resolution=layer&layer=features',
      [boot],
    ).expect(200);

    expect(byNode.body.layer).toBe('features');
    expect(byNode.body.tensor).toEqual(byValue.body.tensor);
  });

  it('async=true should answer 202 with the job location', async () => {
    const response = await postImages(app, '/gradcam?async=true', [boot]).expect(202);

    expect(response.headers.location).toMatch(/^\/v1\/jobs\//);
  });

  it('at least 80% of the Grad-CAM mass should fall on the garment of the Fashion-MNIST examples', async () => {
    const labels = JSON.parse(
      await fs.readFile(path.join(REPO_ROOT, 'examples/labels.json'), 'utf8'),
    ) as Record<string, { class: number }>;
    // The twelve test images (<test index>-<label>.png): Fashion-MNIST's background is exactly 0.
    const files = Object.keys(labels).filter((file) => /^\d{4}-.+\.png$/.test(file));
    const shares: number[] = [];
    let onGarment = 0;
    let total = 0;
    for (const file of files) {
      const bytes = await example(file);
      const { data, info } = await sharp(bytes)
        .greyscale()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const response = await postImages(
        app,
        `/gradcam?output=tensor&format=json&target=${labels[file]?.class}`,
        [bytes],
      ).expect(200);
      const map = tensorOf(bodyOf(response));
      expect(info.channels).toBe(1);
      expect(map.shape).toEqual([info.height, info.width]);
      const garment = garmentMass(map.data, data);
      shares.push(garment.part / garment.total);
      onGarment += garment.part;
      total += garment.total;
    }

    expect(files).toHaveLength(12);
    expect(shares.reduce((a, b) => a + b, 0) / shares.length).toBeGreaterThanOrEqual(0.8);
    expect(onGarment / total).toBeGreaterThanOrEqual(0.8);
  }, 60_000);
});
