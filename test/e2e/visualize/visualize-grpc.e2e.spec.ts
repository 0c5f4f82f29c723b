/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as path from 'node:path';

import { status } from '@grpc/grpc-js';
import sharp from 'sharp';

import type { AppServices } from '../../../src/app.module';
import { createInlineServices } from '../../../src/bootstrap/services';
import { loadConfig } from '../../../src/config/app-config';
import { rejection } from '../../support/grpc-rejection';
import { REPO_ROOT } from '../../support/http-app';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import { silentLogger } from '../../support/silent-logger';
import { readOnnxFile, type OnnxFile } from './onnx-file.reader';

interface NamedTensor {
  layer: string;
  tensor: { data: Buffer; shape: number[]; dtype: string };
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
  let onnx: OnnxFile;
  let image: Buffer;

  beforeAll(async () => {
    const config = loadConfig({
      MODEL_REPOSITORY: path.join(REPO_ROOT, 'models'),
      ORT_INTRA_OP_THREADS: '1',
    });
    services = await createInlineServices(config, silentLogger);
    grpc = await startGrpcTestServer(services);
    onnx = readOnnxFile(path.join(REPO_ROOT, 'models/fashion-mnist/model.onnx'));
    image = await sharp({ create: { width: 28, height: 28, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
  });

  afterAll(async () => {
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

  it('PredictionImage and a PNG FeatureMaps decode as PNGs', async () => {
    const card = await grpc.client.call<ViewResponse>('PredictionImage', { image, top_k: 3 });
    const grid = await grpc.client.call<ViewResponse>('FeatureMaps', {
      image,
      layers: ['features'],
      limit: 4,
    });

    expect((await sharp(card.png).metadata()).format).toBe('png');
    expect(card.attributes!.class_label).toEqual(expect.any(String));
    expect((await sharp(grid.png).metadata()).format).toBe('png');
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
      'Parameter limit: expected at most 1024 channels per layer, got 5000',
    );
    expect(tiles.code).toBe(status.INVALID_ARGUMENT);
    expect(tiles.metadata.get('error-code')).toEqual(['VIEW_LIMIT_EXCEEDED']);
    expect(tiles.details).toBe(
      `Parameter out_limit x in_limit: expected at most 4096 kernel tiles, got ${outs * ins}`,
    );
  });
});
