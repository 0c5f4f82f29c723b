/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { binaryParser } from '../../support/binary.parser';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { readNpyBuffer } from './npy-buffer.reader';
import { readOnnxFile, type OnnxFile } from './onnx-file.reader';

const MODEL = 'fashion-mnist';
const BASE = `/v1/models/${MODEL}`;
const RELU = '/model/block3/block3.2/Relu';
const PICTURE_ONLY =
  'it only changes how the picture is drawn; a tensor answer holds the values themselves';

interface LayerJson {
  readonly layer: string;
  readonly channels: number[];
  readonly channelCount: number;
  readonly shape: number[];
  readonly data: number[];
}

interface Tensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * The channels the README promises, recomputed from the full [1, C, H, W]
 * tensor: the first `limit`, or the `limit` with the highest mean (ties: the
 * lower index first).
 */
function expectedChannels(full: Tensor, order: 'index' | 'mean', limit: number): number[] {
  const [, channels, height, width] = full.shape;
  const plane = height * width;
  const mean = (c: number): number => {
    let sum = 0;
    for (let p = 0; p < plane; p++) {
      sum += full.data[c * plane + p];
    }
    return sum / plane;
  };
  const indices = Array.from({ length: channels }, (_, c) => c);
  if (order === 'mean') {
    const means = indices.map(mean);
    indices.sort((a, b) => means[b] - means[a] || a - b);
  }
  return indices.slice(0, limit);
}

/** The planes of `channels`, taken one after the other out of the full tensor. */
function channelsOf(full: Tensor, channels: readonly number[]): number[] {
  const [, , height, width] = full.shape;
  const plane = height * width;
  return channels.flatMap((c) => Array.from(full.data).slice(c * plane, (c + 1) * plane));
}

/** "0-2,7,5" read back into [0, 1, 2, 7, 5], as the README describes the header. */
function readRuns(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}

describe('options of the views with a tensor answer (REST)', () => {
  let app: NestFastifyApplication;
  let png: Buffer;
  let onnx: OnnxFile;

  const server = () => app.getHttpServer();
  const featureMaps = (query: string) =>
    request(server()).post(`${BASE}/feature-maps?${query}`).attach('image', png, 'boot.png');
  const npy = async (query: string) => {
    const response = await featureMaps(query).buffer(true).parse(binaryParser).expect(200);
    return { tensor: readNpyBuffer(response.body as Buffer), headers: response.headers };
  };

  beforeAll(async () => {
    app = await startTestApp();
    png = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
    onnx = readOnnxFile(path.join(REPO_ROOT, 'models', MODEL, 'model.onnx'));
  });

  afterAll(async () => {
    await app.close();
  });

  describe('feature maps', () => {
    it('keeps in the .npy the `limit` channels of highest mean, highest first, and names them', async () => {
      const full = await npy('format=npy');
      const { tensor, headers } = await npy('format=npy&order=mean&limit=8');

      const [, channels, height, width] = full.tensor.shape;
      expect(channels).toBeGreaterThan(8);
      const kept = expectedChannels(full.tensor, 'mean', 8);
      expect(kept).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(tensor.shape).toEqual([1, 8, height, width]);
      expect(Array.from(tensor.data)).toEqual(channelsOf(full.tensor, kept));
      expect(readRuns(headers['x-cnn-lens-channels'])).toEqual(kept);
      expect(headers['x-cnn-lens-channels-shown']).toBe(`8/${channels}`);
      expect(headers['x-cnn-lens-order']).toBe('mean');
    });

    it('answers the whole layer in a tensor when no limit is given, in the order asked', async () => {
      const full = await npy('format=npy');
      const { tensor, headers } = await npy('format=npy&order=mean');

      const channels = full.tensor.shape[1];
      expect(channels).toBeGreaterThan(64);
      const kept = expectedChannels(full.tensor, 'mean', channels);
      expect(tensor.shape).toEqual(full.tensor.shape);
      expect(Array.from(tensor.data)).toEqual(channelsOf(full.tensor, kept));
      expect(readRuns(headers['x-cnn-lens-channels'])).toEqual(kept);
      expect(readRuns(full.headers['x-cnn-lens-channels'])).toEqual(
        Array.from({ length: channels }, (_, c) => c),
      );
    });

    it('keeps the first `limit` channels of each layer in JSON, listing them', async () => {
      const layers = encodeURIComponent(`/model/block1/block1.0/Conv,features`);
      const full = await featureMaps(`layers=${layers}&format=json`).expect(200);
      const cut = await featureMaps(`layers=${layers}&format=json&limit=2`).expect(200);

      const fullLayers = full.body.layers as LayerJson[];
      const cutLayers = cut.body.layers as LayerJson[];
      expect(cutLayers.map((l) => l.layer)).toEqual(fullLayers.map((l) => l.layer));
      cutLayers.forEach((layer, i) => {
        const whole = fullLayers[i];
        expect(layer.channels).toEqual([0, 1]);
        expect(layer.channelCount).toBe(whole.shape[1]);
        expect(layer.shape).toEqual([1, 2, whole.shape[2], whole.shape[3]]);
        expect(layer.data).toEqual(channelsOf(whole, [0, 1]));
      });
    });

    it('keeps the same channels in JSON as in .npy for order=mean', async () => {
      const full = await npy('format=npy');
      const response = await featureMaps('format=json&order=mean&limit=5').expect(200);

      const [layer] = response.body.layers as LayerJson[];
      const kept = expectedChannels(full.tensor, 'mean', 5);
      expect(layer.channels).toEqual(kept);
      expect(Array.from(Float32Array.from(layer.data))).toEqual(channelsOf(full.tensor, kept));
      expect(response.body.order).toBe('mean');
    });

    it('gives a layer named twice, by its value and by its node, once', async () => {
      const response = await featureMaps(
        `layers=${encodeURIComponent(`features,${RELU},features`)}&format=json&limit=1`,
      ).expect(200);

      expect((response.body.layers as LayerJson[]).map((l) => l.layer)).toEqual(['features']);
    });

    it('gives a layer named twice by `layer` and `layers` once, in the order first named', async () => {
      const conv = '/model/block1/block1.0/Conv';
      const response = await featureMaps(
        `layer=${encodeURIComponent(`${conv}_output_0`)}&layers=${encodeURIComponent(`${RELU},${conv}`)}&format=json&limit=1`,
      ).expect(200);

      expect((response.body.layers as LayerJson[]).map((l) => l.layer)).toEqual([
        `${conv}_output_0`,
        'features',
      ]);
    });

    it.each([
      ['npy', 'colormap', 'jet', '"jet"'],
      ['npy', 'tile', '32', '32'],
      ['json', 'colormap', 'jet', '"jet"'],
      ['json', 'columns', '4', '4'],
      ['json', 'tile', '32', '32'],
    ])(
      'refuses format=%s with `%s`, which only draws the picture, naming it and why',
      async (format, option, value, received) => {
        const response = await featureMaps(`format=${format}&limit=8&${option}=${value}`).expect(
          400,
        );

        expect(response.body.error.code).toBe('INVALID_PARAMETER');
        expect(response.body.error.message).toBe(
          `parameter "${option}" does not apply to format ${format}: expected it only with format png (${PICTURE_ONLY}); received ${received}`,
        );
        expect(response.body.error.details).toMatchObject({ parameter: option, format });
      },
    );

    it('refuses a picture-only option before queueing an async job', async () => {
      const response = await featureMaps('format=npy&colormap=jet&async=true').expect(400);

      expect(response.body.error.message).toContain('parameter "colormap" does not apply');
      expect(response.headers.location).toBeUndefined();
    });

    it('still takes the picture options with a PNG answer', async () => {
      const response = await featureMaps('order=mean&limit=8&colormap=jet&tile=32&columns=4')
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      expect(response.headers['x-cnn-lens-channels-shown']).toMatch(/^8\/\d+$/);
    });
  });

  describe('kernels', () => {
    const deeper = () => onnx.nodes.filter((node) => node.opType === 'Conv')[1];

    /** w[:outs, :ins] of a stored [O, I, kh, kw] tensor, in C order. */
    const sliced = (weight: { dims: number[]; data: Float32Array }, outs: number, ins: number) => {
      const [, inputs, kh, kw] = weight.dims;
      const values: number[] = [];
      for (let o = 0; o < outs; o++) {
        for (let i = 0; i < ins; i++) {
          const from = (o * inputs + i) * kh * kw;
          values.push(...weight.data.subarray(from, from + kh * kw));
        }
      }
      return values;
    };

    it('cuts the JSON tensor to out_limit filters and in_limit inputs, listing them', async () => {
      const conv = deeper();
      const weight = onnx.initializers.get(conv.input[1])!;
      expect(weight.dims[1]).toBeGreaterThan(1);

      const response = await request(server())
        .get(
          `${BASE}/kernels?layer=${encodeURIComponent(conv.name)}&format=json&out_limit=2&in_limit=3`,
        )
        .expect(200);

      expect(response.body.shape).toEqual([2, 3, weight.dims[2], weight.dims[3]]);
      expect(response.body.data).toEqual(sliced(weight, 2, 3));
      expect(response.body.outChannels).toEqual([0, 1]);
      expect(response.body.inChannels).toEqual([0, 1, 2]);
      expect(response.body.storedShape).toEqual(weight.dims);
    });

    it('cuts the .npy to out_limit filters, every input kept, and says so in headers', async () => {
      const conv = deeper();
      const weight = onnx.initializers.get(conv.input[1])!;
      const [, inputs, kh, kw] = weight.dims;

      const response = await request(server())
        .get(`${BASE}/kernels?layer=${encodeURIComponent(conv.name)}&format=npy&out_limit=3`)
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      const tensor = readNpyBuffer(response.body as Buffer);
      expect(tensor.shape).toEqual([3, inputs, kh, kw]);
      expect(Array.from(tensor.data)).toEqual(sliced(weight, 3, inputs));
      expect(response.headers['x-cnn-lens-out-channels']).toBe('0-2');
      expect(response.headers['x-cnn-lens-in-channels']).toBe(`0-${inputs - 1}`);
      expect(response.headers['x-cnn-lens-stored-shape']).toBe(weight.dims.join('x'));
    });

    it('cuts the first convolution, one input channel, by out_limit and in_limit', async () => {
      const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
      const weight = onnx.initializers.get(conv.input[1])!;

      const response = await request(server())
        .get(`${BASE}/kernels?format=json&out_limit=2&in_limit=1`)
        .expect(200);

      expect(response.body.layer).toBe(conv.name);
      expect(response.body.shape).toEqual([2, 1, 3, 3]);
      expect(response.body.data).toEqual(sliced(weight, 2, 1));
    });

    it.each(['npy', 'json'])('refuses format=%s with tile, naming it and why', async (format) => {
      const response = await request(server())
        .get(`${BASE}/kernels?format=${format}&tile=12`)
        .expect(400);

      expect(response.body.error.code).toBe('INVALID_PARAMETER');
      expect(response.body.error.message).toBe(
        `parameter "tile" does not apply to format ${format}: expected it only with format png (${PICTURE_ONLY}); received 12`,
      );
    });
  });
});
