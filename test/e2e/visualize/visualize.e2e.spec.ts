/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as path from 'node:path';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';
import request from 'supertest';

import { readNpyBuffer } from './npy-buffer.reader';
import { readOnnxFile, type OnnxFile } from './onnx-file.reader';
import { darkPixels, pixel, readPngPixels } from './png-pixels.reader';
import { rawImage, rgbPixels, type Rgb } from '../../fixtures/images/test-images';
import { REPO_ROOT, startTestApp } from '../../support/http-app';
import { seededRandom } from '../../support/seeded-random';

const MODEL = 'fashion-mnist';
const MODEL_FILE = path.join(REPO_ROOT, 'models', MODEL, 'model.onnx');
// model.json of the bundled model: value = (pixel / 255 - 0.286) / 0.353
const MEAN = 0.286;
const STD = 0.353;

interface HistogramBody {
  readonly batchNorm: { readonly mode: string };
  readonly layers: readonly {
    readonly parameters: readonly {
      readonly name: string;
      readonly count: number;
      readonly counts: number[];
      readonly binEdges: number[];
      readonly min: number;
      readonly max: number;
      readonly mean: number;
      readonly std: number;
    }[];
  }[];
}

/** A 28x28 grey test picture with seeded pixel values, and those values. */
async function greyPicture(): Promise<{ png: Buffer; pixels: Uint8Array }> {
  const random = seededRandom(7);
  const pixels = Uint8Array.from({ length: 28 * 28 }, () => Math.floor(random() * 256));
  const png = await sharp(Buffer.from(pixels), { raw: { width: 28, height: 28, channels: 1 } })
    .png()
    .toBuffer();
  return { png, pixels };
}

/** Plain 2-D convolution, NCHW, batch 1, zero padding: y[o,r,c] = b[o] + sum w[o,i,u,v] x[i, r*s+u-p, c*s+v-p]. */
function convolve(
  x: Float64Array,
  [channels, height, width]: readonly number[],
  w: Float32Array,
  [outs, , kh, kw]: readonly number[],
  bias: Float32Array | undefined,
  pad: number,
  stride: number,
): { data: Float64Array; dims: number[] } {
  const outH = Math.floor((height + 2 * pad - kh) / stride) + 1;
  const outW = Math.floor((width + 2 * pad - kw) / stride) + 1;
  const y = new Float64Array(outs * outH * outW);
  for (let o = 0; o < outs; o++) {
    for (let r = 0; r < outH; r++) {
      for (let c = 0; c < outW; c++) {
        let sum = bias?.[o] ?? 0;
        for (let i = 0; i < channels; i++) {
          for (let u = 0; u < kh; u++) {
            for (let v = 0; v < kw; v++) {
              const row = r * stride + u - pad;
              const col = c * stride + v - pad;
              if (row >= 0 && row < height && col >= 0 && col < width) {
                sum +=
                  w[((o * channels + i) * kh + u) * kw + v] * x[(i * height + row) * width + col];
              }
            }
          }
        }
        y[(o * outH + r) * outW + c] = sum;
      }
    }
  }
  return { data: y, dims: [1, outs, outH, outW] };
}

describe('after-training views (REST, embedded mode)', () => {
  let app: NestFastifyApplication;
  let onnx: OnnxFile;
  let picture: { png: Buffer; pixels: Uint8Array };

  const firstConv = () => onnx.nodes.find((node) => node.opType === 'Conv')!;
  const server = () => app.getHttpServer();

  beforeAll(async () => {
    app = await startTestApp();
    onnx = readOnnxFile(MODEL_FILE);
    picture = await greyPicture();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('POST /v1/models/{name}/feature-maps', () => {
    it('returns the first convolution exactly as a direct convolution of the preprocessed input computes it', async () => {
      const conv = firstConv();
      expect(conv.ints).toMatchObject({
        pads: [1, 1, 1, 1],
        strides: [1, 1],
        dilations: [1, 1],
        group: [1],
      });
      const weight = onnx.initializers.get(conv.input[1])!;
      const bias =
        conv.input[2] === undefined ? undefined : onnx.initializers.get(conv.input[2])?.data;
      const input = Float64Array.from(picture.pixels, (v) => (v / 255 - MEAN) / STD);
      const expected = convolve(input, [1, 28, 28], weight.data, weight.dims, bias, 1, 1);

      const response = await request(server())
        .post(`/v1/models/${MODEL}/feature-maps?layer=${encodeURIComponent(conv.name)}&format=npy`)
        .attach('image', picture.png, 'grey.png')
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      const tensor = readNpyBuffer(response.body as Buffer);
      expect(tensor.shape).toEqual(expected.dims);
      let worst = 0;
      tensor.data.forEach((value, i) => {
        worst = Math.max(worst, Math.abs(value - expected.data[i]));
      });
      expect(worst).toBeLessThan(1e-4);
    });

    it('answers JSON for several layers, named by node or by value', async () => {
      const conv = firstConv();
      const response = await request(server())
        .post(
          `/v1/models/${MODEL}/feature-maps?layers=${encodeURIComponent(`${conv.name},features`)}&format=json`,
        )
        .attach('image', picture.png, 'grey.png')
        .expect(200);

      const body = response.body as { layers: { layer: string }[] };
      expect(body.layers.map((l) => l.layer)).toEqual([conv.output[0], 'features']);
      const firstOut = onnx.initializers.get(conv.input[1])!.dims[0];
      expect(response.body.layers[0].shape).toEqual([1, firstOut, 28, 28]);
      const [, channels, height, width] = response.body.layers[1].shape;
      expect(response.body.layers[1].data).toHaveLength(channels * height * width);
    });

    it('draws a PNG grid whose size follows the documented layout', async () => {
      const conv = firstConv();
      const response = await request(server())
        .post(`/v1/models/${MODEL}/feature-maps?layer=${encodeURIComponent(conv.name)}&order=mean`)
        .attach('image', picture.png, 'grey.png')
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      // n channels: ceil(sqrt(n)) columns of 28x28 maps enlarged x3 (>= 64 px) to 84 px, 4 px apart,
      // 8 px margins, a 50 px title band and a 14 px label band above each row.
      const n = onnx.initializers.get(conv.input[1])!.dims[0];
      const columns = Math.ceil(Math.sqrt(n));
      const rows = Math.ceil(n / columns);
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([
        Math.max(520, 2 * 8 + columns * 84 + (columns - 1) * 4),
        50 + rows * (14 + 84) + (rows - 1) * 4 + 8,
      ]);
      expect(decodeURIComponent(response.headers['x-cnn-lens-channels-shown'])).toBe(`${n}/${n}`);

      // every tile's channel index is drawn in the band above it; the margins stay blank
      const image = await readPngPixels(response.body as Buffer);
      for (let k = 0; k < n; k++) {
        const left = 8 + (k % columns) * (84 + 4);
        const top = 50 + Math.floor(k / columns) * (14 + 84 + 4);
        expect(darkPixels(image, { left, top, width: 84, height: 14 })).toBeGreaterThan(5);
      }
      expect(darkPixels(image, { left: 0, top: 50, width: 8, height: image.height - 50 })).toBe(0);
      // the title (the layer's name) at the top left
      expect(darkPixels(image, { left: 8, top: 0, width: 200, height: 18 })).toBeGreaterThan(100);
    });

    it('refuses an unknown layer, listing the spatial layers', async () => {
      const response = await request(server())
        .post(`/v1/models/${MODEL}/feature-maps?layer=no-such-layer`)
        .attach('image', picture.png, 'grey.png')
        .expect(404);

      expect(response.body.error.code).toBe('LAYER_NOT_FOUND');
      expect(response.body.error.message).toContain('"no-such-layer"');
      expect(response.body.error.details.validLayers).toContain('features');
      expect(response.body.error.details.validLayers).not.toContain('logits');
    });

    it('refuses more channels than a picture may hold', async () => {
      const response = await request(server())
        .post(`/v1/models/${MODEL}/feature-maps?layer=features&limit=5000`)
        .attach('image', picture.png, 'grey.png')
        .expect(400);

      expect(response.body.error.code).toBe('VIEW_LIMIT_EXCEEDED');
      expect(response.body.error.message).toBe(
        'parameter "limit": expected at most 1024 channels per layer, got 5000',
      );
    });
  });

  describe('GET /v1/models/{name}/kernels', () => {
    it('returns the weight tensor exactly as the initializer holds it', async () => {
      const conv = onnx.nodes.filter((node) => node.opType === 'Conv')[1];
      const weight = onnx.initializers.get(conv.input[1])!;

      const response = await request(server())
        .get(`/v1/models/${MODEL}/kernels?layer=${encodeURIComponent(conv.name)}&format=npy`)
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      const tensor = readNpyBuffer(response.body as Buffer);
      expect(tensor.shape).toEqual(weight.dims);
      expect(Array.from(tensor.data)).toEqual(Array.from(weight.data));
      const jobId = response.headers['x-cnn-lens-job-id'];
      const job = await request(server()).get(`/v1/jobs/${jobId}`).expect(200);
      expect(job.body).toMatchObject({ kind: 'kernels', state: 'completed' });
    });

    it('draws one labelled tile per filter of the first convolution (one input channel)', async () => {
      const response = await request(server())
        .get(`/v1/models/${MODEL}/kernels`)
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      // n filters of 3x3 enlarged x8 to 24 px in ceil(sqrt(n)) columns; narrower than the 520 px minimum.
      const n = onnx.initializers.get(firstConv().input[1])!.dims[0];
      const rows = Math.ceil(n / Math.ceil(Math.sqrt(n)));
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([520, 50 + rows * (14 + 24) + (rows - 1) * 4 + 8]);
    });

    it('draws an (output, input) grid for a deeper convolution within its limits', async () => {
      const conv = onnx.nodes.filter((node) => node.opType === 'Conv')[1];
      const response = await request(server())
        .get(
          `/v1/models/${MODEL}/kernels?layer=${encodeURIComponent(conv.name)}&out_limit=8&in_limit=16&tile=12`,
        )
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      // 8 rows x 16 columns of 3x3 enlarged x4 to 12 px: 2*8 + 16*12 + 15*4 = 268 -> 520 minimum.
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([520, 50 + 8 * 12 + 7 * 4 + 8]);
      expect(decodeURIComponent(response.headers['x-cnn-lens-shown'])).toBe('8x16 pairs');
    });

    it('refuses a layer that is not a convolution, listing the convolutions', async () => {
      const relu = onnx.nodes.find((node) => node.opType === 'Relu')!;
      const response = await request(server())
        .get(`/v1/models/${MODEL}/kernels?layer=${encodeURIComponent(relu.name)}`)
        .expect(400);

      expect(response.body.error.code).toBe('LAYER_NOT_CONVOLUTION');
      expect(response.body.error.message).toContain(`"${relu.name}" which is a Relu`);
      expect(response.body.error.details.validLayers).toEqual(
        onnx.nodes.filter((node) => node.opType === 'Conv').map((node) => node.name),
      );
    });

    it('refuses an unknown layer and a grid beyond the tile limit', async () => {
      const unknown = await request(server())
        .get(`/v1/models/${MODEL}/kernels?layer=nope`)
        .expect(404);
      expect(unknown.body.error.code).toBe('LAYER_NOT_FOUND');

      const last = onnx.nodes.filter((node) => node.opType === 'Conv').at(-1)!;
      const [outs, ins] = onnx.initializers.get(last.input[1])!.dims;
      expect(outs * ins).toBeGreaterThan(4096);
      const tooMany = await request(server())
        .get(
          `/v1/models/${MODEL}/kernels?layer=${encodeURIComponent(last.name)}&out_limit=1000&in_limit=1000`,
        )
        .expect(400);
      expect(tooMany.body.error.code).toBe('VIEW_LIMIT_EXCEEDED');
      expect(tooMany.body.error.message).toBe(
        `parameters "out_limit" x "in_limit": expected at most 4096 kernel tiles, got ${outs * ins}`,
      );
    });
  });

  describe('GET /v1/models/{name}/histograms', () => {
    it('counts every weight and bias of each layer once, with their statistics', async () => {
      const response = await request(server())
        .get(`/v1/models/${MODEL}/histograms?format=json&bins=20`)
        .expect(200);

      const body = response.body as HistogramBody;
      expect(body.batchNorm.mode).toBe('separate');
      const parameters = body.layers.flatMap((l) => l.parameters);
      const expectedNames = onnx.nodes.flatMap((node) =>
        node.opType === 'BatchNormalization'
          ? node.input.slice(1, 3)
          : node.input.filter((i) => onnx.initializers.has(i)),
      );
      expect(parameters.map((p) => p.name)).toEqual(expectedNames);

      for (const parameter of parameters) {
        const values = onnx.initializers.get(parameter.name)!.data;
        const sum = parameter.counts.reduce((a, b) => a + b, 0);
        expect(sum).toBe(values.length);
        expect(parameter.counts).toHaveLength(20);
        expect(parameter.binEdges).toHaveLength(21);
        expect(parameter.min).toBe(Math.min(...values));
        expect(parameter.max).toBe(Math.max(...values));
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        expect(parameter.mean).toBeCloseTo(mean, 6);
        // population standard deviation, as numpy.std: sqrt(sum (x - mean)^2 / n)
        const variance = values.reduce((a, x) => a + (x - mean) ** 2, 0) / values.length;
        expect(Math.abs(parameter.std - Math.sqrt(variance))).toBeLessThan(
          1e-6 * Math.sqrt(variance) + 1e-9,
        );
      }
    });

    it('answers async=true with 202 and serves the histograms under /v1/jobs', async () => {
      const accepted = await request(server())
        .get(`/v1/models/${MODEL}/histograms?async=true&format=json&bins=5`)
        .expect(202);

      const result = await eventuallyResult(server(), accepted.headers.location);
      expect(result.body.bins).toBe(5);
      const job = await request(server()).get(accepted.headers.location).expect(200);
      expect(job.body).toMatchObject({ kind: 'histograms', state: 'completed' });
    });

    it('folds batch normalisation into the convolution when asked', async () => {
      const conv = firstConv();
      const bn = onnx.nodes.find((node) => node.input[0] === conv.output[0])!;
      const response = await request(server())
        .get(
          `/v1/models/${MODEL}/histograms?format=json&batch_norm=folded&layers=${encodeURIComponent(conv.name)}`,
        )
        .expect(200);

      const [layer] = response.body.layers;
      expect(layer.foldedBatchNorm).toBe(bn.name);
      const [gamma, beta, mean, variance] = bn.input
        .slice(1)
        .map((name) => onnx.initializers.get(name)!.data);
      const weight = onnx.initializers.get(conv.input[1])!;
      const perChannel = weight.data.length / gamma.length;
      // w' = w * gamma / sqrt(var + eps) per output channel; b' = beta - mean * gamma / sqrt(var + eps) (no conv bias).
      const factor = (c: number) => gamma[c] / Math.sqrt(variance[c] + 1e-5);
      const foldedWeight = Array.from(
        weight.data,
        (w, i) => w * factor(Math.floor(i / perChannel)),
      );
      const foldedBias = Array.from(beta, (b, c) => b - mean[c] * factor(c));

      for (const [parameter, values] of [
        [layer.parameters[0], foldedWeight],
        [layer.parameters[1], foldedBias],
      ] as const) {
        expect(parameter.count).toBe(values.length);
        expect(parameter.min).toBeCloseTo(Math.min(...values), 5);
        expect(parameter.max).toBeCloseTo(Math.max(...values), 5);
        expect(parameter.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 5);
      }
    });

    it('draws one chart per parameter, a row per layer', async () => {
      const conv = firstConv();
      const response = await request(server())
        .get(
          `/v1/models/${MODEL}/histograms?layers=${encodeURIComponent(`${conv.name},/model/fc/Gemm`)}`,
        )
        .buffer(true)
        .parse(binaryParser)
        .expect(200);

      // 2 rows x 2 columns (conv: weight only, no bias -> 1; Gemm: weight + bias -> 2) of 400x210 panels.
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([2 * 8 + 2 * 400 + 8, 2 * 8 + 2 * 210 + 8]);
    });

    it('refuses an unknown layer, listing the layers with weights', async () => {
      const response = await request(server())
        .get(`/v1/models/${MODEL}/histograms?layers=nope`)
        .expect(404);

      expect(response.body.error.code).toBe('LAYER_NOT_FOUND');
      expect(response.body.error.details.validLayers).toContain('/model/fc/Gemm');
    });
  });

  describe('POST /v1/models/{name}/prediction-image', () => {
    const predictionImage = async (image: Buffer): Promise<Buffer> => {
      const response = await request(server())
        .post(`/v1/models/${MODEL}/prediction-image?top_k=3`)
        .attach('image', image, 'picture')
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');
      return response.body as Buffer;
    };

    it('draws the image beside its top-k bars at the documented size', async () => {
      const response = await request(server())
        .post(`/v1/models/${MODEL}/prediction-image?top_k=3`)
        .attach('image', picture.png, 'grey.png')
        .buffer(true)
        .parse(binaryParser)
        .expect(200)
        .expect('Content-Type', 'image/png');

      // 28x28 enlarged x9 to 252 px; chart 400 x max(256, 80 + 26*3); width 3*12 + 252 + 400, height 2*12 + 256.
      const meta = await sharp(response.body as Buffer).metadata();
      expect([meta.width, meta.height]).toEqual([688, 280]);
      expect(Number(response.headers['x-cnn-lens-probability'])).toBeGreaterThan(0);
    });

    it('shows a non-square image at its own aspect, each pixel an exact 2x2 block', async () => {
      // 90x30 seeded colours: enlarged x2 (the largest integer factor within 256 px) to 180x60
      const random = seededRandom(11);
      const colours = Array.from({ length: 90 * 30 }, (): Rgb => {
        const value = () => Math.floor(random() * 256);
        return [value(), value(), value()];
      });
      const source = rgbPixels(90, 30, (x, y) => colours[y * 90 + x]);
      const png = await rawImage(source, 90, 30, 3).png().toBuffer();

      const card = await readPngPixels(await predictionImage(png));

      // width 3*12 + 180 + 400, height 2*12 + max(60, 256)
      expect([card.width, card.height]).toEqual([616, 280]);
      let mismatches = 0;
      for (let y = 0; y < 60; y++) {
        for (let x = 0; x < 180; x++) {
          const expected = colours[Math.floor(y / 2) * 90 + Math.floor(x / 2)];
          const drawn = pixel(card, 12 + x, 12 + y);
          mismatches += drawn.every((v, c) => v === expected[c]) ? 0 : 1;
        }
      }
      expect(mismatches).toBe(0);
      // below the picture, left of the chart (which starts at x = 2*12 + 180): white
      expect(darkPixels(card, { left: 0, top: 72, width: 204, height: 208 })).toBe(0);
    });

    it('shows an EXIF orientation-6 JPEG upright: stored 60x20 is drawn as a 20x60 picture', async () => {
      // Stored quadrants TL red, TR green, BL blue, BR white; turning them 90 degrees clockwise
      // puts the stored top row on the right and the stored left half on top.
      const quadrants = (x: number, y: number): Rgb => {
        if (y < 10) {
          return x < 30 ? [255, 0, 0] : [0, 255, 0];
        }
        return x < 30 ? [0, 0, 255] : [255, 255, 255];
      };
      const jpeg = await rawImage(rgbPixels(60, 20, quadrants), 60, 20, 3)
        .jpeg({ quality: 100 })
        .withMetadata({ orientation: 6 })
        .toBuffer();

      const card = await readPngPixels(await predictionImage(jpeg));

      // upright 20x60 enlarged x4 to 80x240 at (12, 12): width 3*12 + 80 + 400, height 2*12 + max(240, 256).
      // Drawn as stored it would be 240x80 and the card 676 wide.
      expect([card.width, card.height]).toEqual([516, 280]);
      const near = (x: number, y: number, rgb: Rgb) =>
        pixel(card, x, y).every((v, c) => Math.abs(v - rgb[c]) <= 40);
      expect(near(12 + 20, 12 + 60, [0, 0, 255])).toBe(true);
      expect(near(12 + 60, 12 + 60, [255, 0, 0])).toBe(true);
      expect(near(12 + 20, 12 + 180, [255, 255, 255])).toBe(true);
      expect(near(12 + 60, 12 + 180, [0, 255, 0])).toBe(true);
      // the picture ends at x = 92: the 12 px gap before the chart is white from top to bottom
      expect(darkPixels(card, { left: 93, top: 0, width: 10, height: 280 })).toBe(0);
    });
  });
});

/** The job's result once it is done; in-process jobs finish within a few hundred milliseconds. */
async function eventuallyResult(
  http: Parameters<typeof request>[0],
  location: string,
): Promise<request.Response> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await request(http).get(`${location}/result`);
    if (response.status === 200) {
      return response;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no result at ${location}/result`);
}

function binaryParser(
  res: request.Response,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}
