/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';

import { binaryParser } from '../../support/binary.parser';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { readOnnxFile } from './onnx-file.reader';
import { darkPixels, pixel, readPngPixels, type RgbPixels } from './png-pixels.reader';

/**
 * Two models whose first convolution reads 3 channels, copied into a model
 * repository of their own: vgg (a test network, NCHW RGB input 1x3x32x32, no
 * model.json) and nhwc-bgr (NHWC input whose channels are B, G, R).
 */
const MODELS = {
  vgg: { from: 'test/fixtures/nets/vgg', files: ['model.onnx'], channelOrder: 'RGB' },
  'nhwc-bgr': {
    from: 'test/fixtures/models/nhwc-bgr',
    files: ['model.onnx', 'model.json'],
    channelOrder: 'BGR',
  },
} as const;

/** Tile layout of a colour kernel grid (README): 3x3 kernels enlarged x8 to 24 px, ceil(sqrt(n)) columns. */
const TILE = 24;
const tileOrigin = (o: number, columns: number) => ({
  left: 8 + (o % columns) * (TILE + 4),
  top: 50 + Math.floor(o / columns) * (14 + TILE + 4) + 14,
});

/**
 * The colour a filter's weight triple should show, from the initializer: each
 * filter scaled by its own largest |w| so that -max..0..max is 0..127.5..255,
 * and the tensor channel that holds red taken for red.
 */
function expectedColour(
  weights: Float32Array,
  [, inputs, kh, kw]: readonly number[],
  o: number,
  u: number,
  v: number,
  bgr: boolean,
): number[] {
  const filter = weights.subarray(o * inputs * kh * kw, (o + 1) * inputs * kh * kw);
  const scale = filter.reduce((max, w) => Math.max(max, Math.abs(w)), 0);
  return [0, 1, 2].map((rgb) => {
    const channel = bgr ? 2 - rgb : rgb;
    const w = filter[(channel * kh + u) * kw + v];
    return (255 * (w / scale + 1)) / 2;
  });
}

describe('kernels of a first convolution over 3 input channels (REST)', () => {
  let repository: string;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    repository = fs.mkdtempSync(path.join(os.tmpdir(), 'cnn-lens-colour-kernels-'));
    for (const [name, model] of Object.entries(MODELS)) {
      fs.mkdirSync(path.join(repository, name));
      for (const file of model.files) {
        fs.copyFileSync(path.join(REPO_ROOT, model.from, file), path.join(repository, name, file));
      }
    }
    app = await startTestApp({ MODEL_REPOSITORY: repository, DEFAULT_MODEL: 'vgg' });
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(repository, { recursive: true, force: true });
  });

  it.each(Object.keys(MODELS) as (keyof typeof MODELS)[])(
    'draws each filter of %s as one RGB tile whose colours are its weights, labelled with its index',
    async (name) => {
      const onnx = readOnnxFile(path.join(repository, name, 'model.onnx'));
      const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
      const weight = onnx.initializers.get(conv.input[1])!;
      const [filters, inputs, kh, kw] = weight.dims;
      expect([inputs, kh, kw]).toEqual([3, 3, 3]);

      const response = await request(app.getHttpServer())
        .get(`/v1/models/${name}/kernels?layer=${encodeURIComponent(conv.name)}`)
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      const image = await readPngPixels(response.body as Buffer);
      const columns = Math.ceil(Math.sqrt(filters));
      const rows = Math.ceil(filters / columns);
      expect([image.width, image.height]).toEqual([
        520,
        50 + rows * (14 + TILE) + (rows - 1) * 4 + 8,
      ]);
      expect(decodeURIComponent(response.headers['x-cnn-lens-shown'])).toBe(
        `${filters} colour filters`,
      );

      const bgr = MODELS[name].channelOrder === 'BGR';
      let worst = 0;
      for (let o = 0; o < filters; o++) {
        const origin = tileOrigin(o, columns);
        worst = Math.max(worst, tileError(image, origin, weight.data, weight.dims, o, bgr));
        // the index drawn in the 14 px band above the tile
        const band = { left: origin.left, top: origin.top - 14, width: TILE, height: 14 };
        expect(darkPixels(image, band)).toBeGreaterThan(5);
      }
      // rounding to 8 bits is the only difference
      expect(worst).toBeLessThanOrEqual(0.5 + 1e-6);
    },
  );
});

/** Largest |drawn - expected| over a tile's pixels; each weight covers an 8x8 block (nearest neighbour). */
function tileError(
  image: RgbPixels,
  origin: { left: number; top: number },
  weights: Float32Array,
  dims: readonly number[],
  o: number,
  bgr: boolean,
): number {
  const factor = TILE / 3;
  let worst = 0;
  for (let y = 0; y < TILE; y++) {
    for (let x = 0; x < TILE; x++) {
      const expected = expectedColour(
        weights,
        dims,
        o,
        Math.floor(y / factor),
        Math.floor(x / factor),
        bgr,
      );
      const drawn = pixel(image, origin.left + x, origin.top + y);
      drawn.forEach((value, c) => {
        worst = Math.max(worst, Math.abs(value - expected[c]));
      });
    }
  }
  return worst;
}
