/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { type ServiceError, status } from '@grpc/grpc-js';
import request from 'supertest';

import { fashionImages } from '../../support/queue/fashion-images';
import { errorCodeOf } from '../../support/queue/grpc-clients';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import {
  dropPrefix,
  type QueueTestApp,
  startQueueApp,
  uniquePrefix,
} from '../../support/queue/queue-test.env';

interface Explanation {
  png?: Buffer;
  tensor?: { data: Buffer; shape: number[]; dtype: string };
  json?: string;
  info: {
    model: string;
    layer: string;
    class_index: number;
    label: string;
    score: number;
    method: string;
    timings_ms: Record<string, number>;
    attributes: Record<string, string>;
  };
  job_id: string;
  image: number;
}

/** The float32 values of a .npy answer of the REST API (format 1.0 header, little-endian C order). */
function npyValues(file: Buffer): { shape: number[]; values: Float32Array } {
  const headerLength = file.readUInt16LE(8);
  const header = file.subarray(10, 10 + headerLength).toString('latin1');
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(Number);
  const body = file.subarray(10 + headerLength);
  return {
    shape,
    values: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length)),
  };
}

describe('gRPC Explain against the REST API (queue mode)', () => {
  const prefix = uniquePrefix('grpc-explain');
  let service: QueueTestApp;
  let grpc: GrpcTestServer;
  let images: Buffer[];

  beforeAll(async () => {
    service = await startQueueApp({
      ROLE: 'all',
      QUEUE_PREFIX: prefix,
      REQUEST_TIMEOUT_MS: '30000',
    });
    grpc = await startGrpcTestServer(service.process.services);
    images = await fashionImages(2, 56);
  });

  afterAll(async () => {
    await grpc.close();
    await service.close();
    await dropPrefix(prefix);
  });

  it('should give the same Grad-CAM tensor as POST /v1/explain for the same image', async () => {
    const rest = await request(service.app.getHttpServer())
      .post('/v1/explain?method=gradcam&output=tensor&format=npy&resolution=layer')
      .set('content-type', 'image/png')
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .send(images[0])
      .expect(200);
    const expected = npyValues(rest.body as Buffer);

    const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [images[0]],
      method: 'gradcam',
      output: 'tensor',
      resolution: 'layer',
    });

    expect(rpc.explanations).toHaveLength(1);
    const [explanation] = rpc.explanations;
    expect(explanation.tensor?.dtype).toBe('float32');
    expect(explanation.tensor?.shape).toEqual(expected.shape);
    const data = explanation.tensor!.data;
    const values = new Float32Array(
      data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
    );
    expect(Array.from(values)).toEqual(Array.from(expected.values));
    expect(explanation.info).toMatchObject({
      model: 'fashion-mnist',
      method: 'gradcam',
      class_index: Number(rest.headers['x-cnn-lens-class-index']),
      label: decodeURIComponent(String(rest.headers['x-cnn-lens-label'])),
    });
    expect(explanation.info.layer.length).toBeGreaterThan(0);
    expect(explanation.info.timings_ms.total).toBeGreaterThan(0);
  });

  it('should give the same signed saliency planes as REST with normalize=false', async () => {
    const rest = await request(service.app.getHttpServer())
      .post(
        '/v1/explain?method=saliency&output=tensor&format=json&resolution=layer&normalize=false',
      )
      .set('content-type', 'image/png')
      .send(images[0])
      .expect(200);
    const expected = (rest.body as { tensor: { shape: number[]; data: number[] } }).tensor;

    const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [images[0]],
      method: 'saliency',
      output: 'tensor',
      resolution: 'layer',
      normalize: false,
    });

    const tensor = rpc.explanations[0]?.tensor;
    expect(tensor?.shape.map(Number)).toEqual(expected.shape);
    expect(expected.shape).toEqual([1, 28, 28]);
    const data = tensor!.data;
    const values = new Float32Array(
      data.buffer.slice(data.byteOffset, data.byteOffset + data.length),
    );
    expect(Math.min(...values)).toBeLessThan(0);
    expect(Array.from(values)).toEqual(expected.data.map((v) => Math.fround(v)));
  });

  it('should give the same overlay PNG as REST, one per image of a batch', async () => {
    const rest = await Promise.all(
      images.map((image) =>
        request(service.app.getHttpServer())
          .post('/v1/explain?method=gradcam&output=overlay&colormap=viridis&alpha=0.4')
          .set('content-type', 'image/png')
          .send(image)
          .expect(200),
      ),
    );

    const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images,
      method: 'gradcam',
      output: 'overlay',
      colormap: 'viridis',
      alpha: 0.4,
    });

    expect(rpc.explanations.map((e) => e.image)).toEqual([0, 1]);
    for (const [index, explanation] of rpc.explanations.entries()) {
      expect(explanation.png?.equals(rest[index].body as Buffer)).toBe(true);
    }
  });

  it('should give one explanation per target for topk:2', async () => {
    const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [images[0]],
      method: 'gradcam',
      target: 'topk:2',
      output: 'heatmap',
    });

    expect(rpc.explanations).toHaveLength(2);
    expect(rpc.explanations.every((e) => e.png !== undefined && e.image === 0)).toBe(true);
    expect(rpc.explanations[0].info.class_index).not.toBe(rpc.explanations[1].info.class_index);
  });

  it.each([
    ['top1', [0, 1]],
    ['topk:2', [0, 0, 1, 1]],
  ])(
    'should number the explanations of a batch (target %s) by image in their attributes too',
    async (target, expected) => {
      const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
        images,
        target,
        output: 'heatmap',
      });

      expect(rpc.explanations.map((e) => e.image)).toEqual(expected);
      expect(rpc.explanations.map((e) => e.info.attributes.image)).toEqual(expected.map(String));
    },
  );

  it('should send each map of a multi-target answer once, with the stage timings as attributes', async () => {
    const rpc = await grpc.client.call<{ explanations: Explanation[] }>('Explain', {
      images: [images[0]],
      method: 'gradcam',
      target: 'topk:2',
      output: 'tensor',
    });

    expect(rpc.explanations).toHaveLength(2);
    for (const explanation of rpc.explanations) {
      const { attributes } = explanation.info;
      expect(explanation.tensor?.data.length).toBeGreaterThan(0);
      expect(Object.keys(attributes)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/base64/)]),
      );
      const attributeBytes = Object.values(attributes).reduce((sum, v) => sum + v.length, 0);
      expect(attributeBytes).toBeLessThan(1000);
      expect(Object.keys(attributes)).toEqual(
        expect.arrayContaining([
          'time_decode_ms',
          'time_preprocess_ms',
          'time_explain_ms',
          'time_render_ms',
          'time_total_ms',
        ]),
      );
      expect(Number(attributes.time_total_ms)).toBe(explanation.info.timings_ms.total);
      expect(explanation.info.timings_ms.total).toBeGreaterThan(0);
    }
  });

  it.each([
    ['heatmap', 'image/png'],
    ['tensor', 'application/x-npy'],
  ])(
    'should name the output (%s) and content type of a single map as of each map of several',
    async (output, contentType) => {
      const call = (target: string) =>
        grpc.client.call<{ explanations: Explanation[] }>('Explain', {
          images: [images[0]],
          target,
          output,
        });
      const [single, several] = await Promise.all([call('top1'), call('topk:2')]);

      for (const { info } of [...single.explanations, ...several.explanations]) {
        expect([info.attributes.output, info.attributes.content_type]).toEqual([
          output,
          contentType,
        ]);
      }
    },
  );

  it('should answer NOT_FOUND with LAYER_NOT_FOUND for an unknown layer', async () => {
    const error = await grpc.client
      .call('Explain', { images: [images[0]], layer: 'no_such_layer' })
      .then(
        () => undefined,
        (e: unknown) => e as ServiceError,
      );

    expect(error?.code).toBe(status.NOT_FOUND);
    expect(errorCodeOf(error!)).toBe('LAYER_NOT_FOUND');
    expect(error?.details).toContain('no_such_layer');
  });
});
