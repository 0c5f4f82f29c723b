/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as path from 'node:path';

import { status } from '@grpc/grpc-js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import sharp from 'sharp';
import request from 'supertest';

import type { AppServices } from '../../../src/app.module';
import { createInlineServices } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { createHttpApp } from '../../../src/http/http-server';
import { binaryParser } from '../../support/binary.parser';
import { rejection } from '../../support/grpc-rejection';
import { REPO_ROOT } from '../../support/http-app';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import { silentLogger } from '../../support/silent-logger';
import { readNpyBuffer } from './npy-buffer.reader';
import { readOnnxFile, type OnnxFile } from './onnx-file.reader';

interface NamedTensor {
  layer: string;
  tensor: { data: Buffer; shape: number[]; dtype: string };
  channels?: number[];
}

const floats = (tensor: NamedTensor['tensor']): number[] =>
  Array.from(new Float32Array(Uint8Array.from(tensor.data).buffer));

/** The channels of highest mean of a [1, C, H, W] tensor, highest first (ties: lower index first). */
function strongestChannels(tensor: NamedTensor['tensor'], limit: number): number[] {
  const [, channels, height, width] = tensor.shape.map(Number);
  const plane = height * width;
  const values = floats(tensor);
  const means = Array.from({ length: channels }, (_, c) => {
    let sum = 0;
    for (let p = 0; p < plane; p++) {
      sum += values[c * plane + p];
    }
    return sum / plane;
  });
  const indices = means.map((_, c) => c).sort((a, b) => means[b] - means[a] || a - b);
  return indices.slice(0, limit);
}

interface ViewResponse {
  png?: Buffer;
  tensors?: NamedTensor[];
  attributes?: Record<string, string>;
  job_id?: string;
}

describe('after-training views over gRPC (embedded mode)', () => {
  let services: AppServices;
  let grpc: GrpcTestServer;
  let http: NestFastifyApplication;
  let onnx: OnnxFile;
  let image: Buffer;

  beforeAll(async () => {
    const config = loadConfig({
      MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
      ORT_INTRA_OP_THREADS: '1',
    });
    services = await createInlineServices(config, silentLogger);
    grpc = await startGrpcTestServer(services);
    http = await createHttpApp(services);
    await http.getHttpAdapter().getInstance().ready();
    onnx = readOnnxFile(path.join(REPO_ROOT, 'models/fashion-mnist/model.onnx'));
    image = await sharp({ create: { width: 28, height: 28, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
    await http.close();
    await grpc.close();
    await services.jobs.close();
  });

  it('FeatureMaps returns the activations as float32 tensors', async () => {
    const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
    const response = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: [conv.name, 'features'],
      format: 'tensor',
    });

    expect(response.tensors!.map((t) => t.layer)).toEqual([conv.output[0], 'features']);
    const first = response.tensors![0].tensor;
    expect(first.dtype).toBe('float32');
    expect(first.shape.map(Number)).toEqual([
      1,
      onnx.initializers.get(conv.input[1])!.dims[0],
      28,
      28,
    ]);
    expect(first.data.length).toBe(4 * first.shape.map(Number).reduce((a, b) => a * b, 1));
  });

  it('FeatureMaps keeps in a tensor the channels order and limit choose, and lists them', async () => {
    const full = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: ['features'],
      format: 'tensor',
    });
    const cut = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: ['features'],
      format: 'tensor',
      order: 'mean',
      limit: 4,
    });

    const whole = full.tensors![0].tensor;
    const [, channels, height, width] = whole.shape.map(Number);
    const kept = strongestChannels(whole, 4);
    expect(kept).not.toEqual([0, 1, 2, 3]);
    const plane = height * width;
    const [only] = cut.tensors!;
    expect(only.channels).toEqual(kept);
    expect(only.tensor.shape.map(Number)).toEqual([1, 4, height, width]);
    expect(floats(only.tensor)).toEqual(
      kept.flatMap((c) => floats(whole).slice(c * plane, (c + 1) * plane)),
    );
    expect(full.tensors![0].channels).toEqual(Array.from({ length: channels }, (_, c) => c));
    expect(cut.attributes).toMatchObject({ channels_shown: `4/${channels}`, order: 'mean' });
  });

  it('FeatureMaps and Kernels refuse picture-only options with format=tensor', async () => {
    const colormap = await rejection(
      grpc.client.call('FeatureMaps', { image, format: 'tensor', colormap: 'jet' }),
    );
    const tile = await rejection(grpc.client.call('Kernels', { format: 'tensor', tile: 12 }));

    for (const [refused, option, received] of [
      [colormap, 'colormap', '"jet"'],
      [tile, 'tile', '12'],
    ] as const) {
      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      expect(refused.metadata.get('error-code')).toEqual(['INVALID_PARAMETER']);
      expect(refused.details).toBe(
        `parameter "${option}" does not apply to format tensor: expected it only with format png (it only changes how the picture is drawn; a tensor answer holds the values themselves); received ${received}`,
      );
    }
  });

  it.each([
    ['FeatureMaps', 'npy'],
    ['FeatureMaps', 'json'],
    ['Kernels', 'npy'],
    ['Kernels', 'json'],
  ])(
    '%s refuses format=%s, which is REST spelling, rather than take it as tensor',
    async (rpc, format) => {
      const refused = await rejection(grpc.client.call(rpc, { image, format }));

      expect(refused.code).toBe(status.INVALID_ARGUMENT);
      expect(refused.metadata.get('error-code')).toEqual(['INVALID_PARAMETER']);
      expect(refused.details).toBe(
        `parameter "format" must be png or tensor; received "${format}"`,
      );
    },
  );

  it('FeatureMaps and Kernels take format in any case, as REST takes its fixed words', async () => {
    const grid = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      format: 'Tensor',
      layers: ['features'],
      limit: 2,
    });
    const kernels = await grpc.client.call<ViewResponse>('Kernels', { format: 'PNG' });

    expect(grid.tensors).toHaveLength(1);
    expect((await sharp(kernels.png).metadata()).format).toBe('png');
  });

  it('Kernels cuts the tensor to out_limit filters and in_limit inputs', async () => {
    const conv = onnx.nodes.filter((node) => node.opType === 'Conv')[1];
    const weight = onnx.initializers.get(conv.input[1])!;
    const [, inputs, kh, kw] = weight.dims;
    const response = await grpc.client.call<ViewResponse>('Kernels', {
      layer: conv.name,
      format: 'tensor',
      out_limit: 2,
      in_limit: 2,
    });

    const tensor = response.tensors![0].tensor;
    expect(tensor.shape.map(Number)).toEqual([2, 2, kh, kw]);
    const area = kh * kw;
    const expected = [0, 1].flatMap((o) =>
      [0, 1].flatMap((i) =>
        Array.from(weight.data.subarray((o * inputs + i) * area, (o * inputs + i + 1) * area)),
      ),
    );
    expect(floats(tensor)).toEqual(expected);
    expect(response.attributes).toMatchObject({
      out_channels: '0-1',
      in_channels: '0-1',
      stored_shape: weight.dims.join('x'),
    });
  });

  it('Kernels returns the weight tensor exactly as stored', async () => {
    const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
    const weight = onnx.initializers.get(conv.input[1])!;
    const response = await grpc.client.call<ViewResponse>('Kernels', {
      layer: conv.name,
      format: 'tensor',
    });

    const tensor = response.tensors![0].tensor;
    expect(tensor.shape.map(Number)).toEqual(weight.dims);
    expect(Array.from(new Float32Array(Uint8Array.from(tensor.data).buffer))).toEqual(
      Array.from(weight.data),
    );
    expect((await services.jobs.status(response.job_id!)).kind).toBe('kernels');
  });

  it('Histograms counts every weight and says how batch norm is treated', async () => {
    const response = await grpc.client.call<{
      layers: { layer: string; parameters: { name: string; counts: number[]; count: number }[] }[];
      batch_norm: string;
      batch_norm_note: string;
    }>('Histograms', { format: 'json', bins: 10 });

    expect(response.batch_norm).toBe('separate');
    expect(response.batch_norm_note).toContain('scale (gamma) and shift (beta)');
    for (const parameter of response.layers.flatMap((layer) => layer.parameters)) {
      const total = parameter.counts.map(Number).reduce((a, b) => a + b, 0);
      expect(total).toBe(onnx.initializers.get(parameter.name)!.data.length);
    }
  });

  it.each(['separate', 'folded'])(
    'Histograms as a PNG says how batch norm (%s) is treated, as its JSON answer does',
    async (batchNorm) => {
      type Reply = { png?: Buffer; batch_norm: string; batch_norm_note: string };
      const png = await grpc.client.call<Reply>('Histograms', { batch_norm: batchNorm });
      const json = await grpc.client.call<Reply>('Histograms', {
        batch_norm: batchNorm,
        format: 'json',
      });

      expect((await sharp(png.png).metadata()).format).toBe('png');
      expect(png.batch_norm).toBe(batchNorm);
      expect(json.batch_norm_note).not.toBe('');
      expect(png.batch_norm_note).toBe(json.batch_norm_note);
    },
  );

  it('PredictionImage and a PNG FeatureMaps give the same pictures as REST, at the documented size', async () => {
    const card = await grpc.client.call<ViewResponse>('PredictionImage', { image, top_k: 3 });
    const grid = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: ['features'],
      limit: 4,
    });
    const rest = async (url: string): Promise<Buffer> =>
      (
        await request(http.getHttpServer())
          .post(url)
          .attach('image', image, 'grey.png')
          .buffer(true)
          .parse(binaryParser)
          .expect(200)
      ).body as Buffer;

    // 28x28 enlarged x9 beside a 400 px chart of 3 bars: 3*12 + 252 + 400 by 2*12 + 256
    const cardMeta = await sharp(card.png).metadata();
    expect([cardMeta.format, cardMeta.width, cardMeta.height]).toEqual(['png', 688, 280]);
    expect(card.attributes!.class_label).toEqual(expect.any(String));
    expect(card.png!.equals(await rest('/v1/models/fashion-mnist/prediction-image?top_k=3'))).toBe(
      true,
    );
    expect((await sharp(grid.png).metadata()).format).toBe('png');
    expect(
      grid.png!.equals(await rest('/v1/models/fashion-mnist/feature-maps?layers=features&limit=4')),
    ).toBe(true);
  });

  it('FeatureMaps gives over gRPC the values REST gives as .npy', async () => {
    const conv = onnx.nodes.find((node) => node.opType === 'Conv')!;
    const response = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: [conv.name],
      format: 'tensor',
    });
    const npy = await request(http.getHttpServer())
      .post(`/v1/models/fashion-mnist/feature-maps?layers=${conv.name}&format=npy`)
      .attach('image', image, 'grey.png')
      .buffer(true)
      .parse(binaryParser)
      .expect(200);

    const fromRest = readNpyBuffer(npy.body as Buffer);
    const tensor = response.tensors![0].tensor;
    expect(tensor.shape.map(Number)).toEqual(fromRest.shape);
    expect(floats(tensor)).toEqual(Array.from(fromRest.data));
  });

  it('refuses a non-convolution and an unknown layer with their codes', async () => {
    const relu = onnx.nodes.find((node) => node.opType === 'Relu')!;
    const notConv = await rejection(grpc.client.call('Kernels', { layer: relu.name }));
    const unknown = await rejection(grpc.client.call('FeatureMaps', { image, layers: ['nope'] }));

    expect(notConv.code).toBe(status.INVALID_ARGUMENT);
    expect(notConv.metadata.get('error-code')).toEqual(['LAYER_NOT_CONVOLUTION']);
    expect(unknown.code).toBe(status.NOT_FOUND);
    expect(unknown.metadata.get('error-code')).toEqual(['LAYER_NOT_FOUND']);
  });

  it('refuses more channels or kernel tiles than a picture may hold with VIEW_LIMIT_EXCEEDED', async () => {
    const last = onnx.nodes.filter((node) => node.opType === 'Conv').at(-1)!;
    const [outs, ins] = onnx.initializers.get(last.input[1])!.dims;
    const channels = await rejection(
      grpc.client.call('FeatureMaps', { image, layers: ['features'], limit: 5000 }),
    );
    const tiles = await rejection(
      grpc.client.call('Kernels', { layer: last.name, out_limit: 1000, in_limit: 1000 }),
    );

    expect(channels.code).toBe(status.INVALID_ARGUMENT);
    expect(channels.metadata.get('error-code')).toEqual(['VIEW_LIMIT_EXCEEDED']);
    expect(channels.details).toBe(
      'parameter "limit": expected at most 1024 channels per layer, got 5000',
    );
    expect(tiles.code).toBe(status.INVALID_ARGUMENT);
    expect(tiles.metadata.get('error-code')).toEqual(['VIEW_LIMIT_EXCEEDED']);
    expect(tiles.details).toBe(
      `parameters "out_limit" x "in_limit": expected at most 4096 kernel tiles, got ${outs * ins}`,
    );
  });
});
