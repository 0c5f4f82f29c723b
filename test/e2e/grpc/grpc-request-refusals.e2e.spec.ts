/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';

import { rejection } from '../../support/grpc-rejection';
import { REPO_ROOT } from '../../support/http-app';
import { errorCodeOf } from '../../support/queue/grpc-clients';
import { type GrpcTestServer, startGrpcTestServer } from '../../support/queue/grpc-test-server';
import {
  dropPrefix,
  inspectQueue,
  type QueueTestApp,
  startQueueApp,
  uniquePrefix,
} from '../../support/queue/queue-test.env';

const EMPTY = Buffer.alloc(0);

/** Sends `bytes` as the request message of `method`, as they are: no protobuf encoding on the way. */
function rawCall(address: string, method: string, bytes: Buffer): Promise<Buffer> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const identity = (value: Buffer): Buffer => value;

  return new Promise<Buffer>((resolve, reject) => {
    client.makeUnaryRequest(method, identity, identity, bytes, (error, reply) => {
      if (error !== null) {
        reject(error);
      } else {
        resolve(reply ?? EMPTY);
      }
    });
  }).finally(() => client.close());
}

/** Requests refused before any job is queued: empty images, undecodable bytes, an empty model name. */
describe('gRPC requests refused as the caller’s mistake', () => {
  const prefix = uniquePrefix('grpc-refusals');
  let service: QueueTestApp;
  let server: GrpcTestServer;
  let trouser: Buffer;
  let boot: Buffer;

  beforeAll(async () => {
    service = await startQueueApp({ ROLE: 'all', QUEUE_PREFIX: prefix });
    server = await startGrpcTestServer(service.process.services);
    trouser = await fs.readFile(path.join(REPO_ROOT, 'examples/0002-trouser.png'));
    boot = await fs.readFile(path.join(REPO_ROOT, 'examples/0000-ankle-boot.png'));
  });

  afterAll(async () => {
    await server.close();
    await service.close();
    await dropPrefix(prefix);
  });

  async function expectNothingQueued(): Promise<void> {
    const queue = inspectQueue(prefix);
    try {
      expect(await queue.getJobCounts('waiting', 'active', 'completed', 'failed')).toEqual({
        waiting: 0,
        active: 0,
        completed: 0,
        failed: 0,
      });
    } finally {
      await queue.close();
    }
  }

  describe.each(['Explain', 'Predict'])('%s', (method) => {
    it('should refuse a batch with empty images, naming their positions, rather than number the others anew', async () => {
      const refused = await rejection(
        server.client.call(method, { images: [EMPTY, trouser, EMPTY, boot] }),
      );

      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorCodeOf(refused)).toBe('IMAGE_MISSING');
      expect(refused.details).toBe(
        'field "images" must hold the bytes of an image file (PNG, JPEG, WebP, ...) in every entry, but entries 0 and 2 of 4 (counted from 0) were empty',
      );
      await expectNothingQueued();
    });

    it('should name the one empty image of a batch', async () => {
      const refused = await rejection(server.client.call(method, { images: [trouser, EMPTY] }));

      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorCodeOf(refused)).toBe('IMAGE_MISSING');
      expect(refused.details).toBe(
        'field "images" must hold the bytes of an image file (PNG, JPEG, WebP, ...) in every entry, but entry 1 of 2 (counted from 0) was empty',
      );
      await expectNothingQueued();
    });
  });

  it.each(['FeatureMaps', 'PredictionImage'])(
    '%s should refuse image bytes sent empty as a missing image',
    async (method) => {
      const refused = await rejection(server.client.call(method, { image: EMPTY }));

      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorCodeOf(refused)).toBe('IMAGE_MISSING');
      expect(refused.details).toBe(
        'field "image" must hold the bytes of an image file (PNG, JPEG, WebP, ...), but it was empty',
      );
      await expectNothingQueued();
    },
  );

  it('should answer a well-formed request sent the same raw way', async () => {
    // GetModel { name: "fashion-mnist" }: field 1, length-delimited, 13 bytes
    const request = Buffer.concat([Buffer.from([0x0a, 13]), Buffer.from('fashion-mnist')]);

    const reply = await rawCall(
      `127.0.0.1:${server.server.port}`,
      '/cnnlens.v1.CnnLens/GetModel',
      request,
    );

    expect(reply.includes('Ankle boot')).toBe(true);
  });

  it.each([
    // field 1 (images), length-delimited, announcing 5 bytes where 1 follows
    ['a cut-off field', Buffer.from([0x0a, 0x05, 0x01])],
    ['text', Buffer.from('not a protobuf message')],
  ])(
    'should answer INVALID_ARGUMENT with BAD_REQUEST for request bytes that are not a protobuf message (%s)',
    async (_, garbage) => {
      const refused = await rejection(
        rawCall(`127.0.0.1:${server.server.port}`, '/cnnlens.v1.CnnLens/Explain', garbage),
      );

      expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(errorCodeOf(refused)).toBe('BAD_REQUEST');
      expect(refused.details).toMatch(
        /^the request of \/cnnlens\.v1\.CnnLens\/Explain could not be decoded as its protobuf message \(index out of range: .+\); encode it as proto\/cnnlens\/v1\/cnn_lens\.proto declares$/,
      );
      await expectNothingQueued();
    },
  );

  it.each([
    ['an empty name', { name: '' }, '""'],
    ['no name', {}, 'nothing'],
  ])('GetModel should refuse %s as a required parameter', async (_, request, received) => {
    const refused = await rejection(server.client.call('GetModel', request));

    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorCodeOf(refused)).toBe('INVALID_PARAMETER');
    expect(refused.details).toBe(
      `parameter "name" must be a model name (required; ListModels lists them); received ${received}`,
    );
  });

  it('FeatureMaps should refuse a layers list of one empty name rather than read it as unset', async () => {
    const refused = await rejection(
      server.client.call('FeatureMaps', { image: trouser, layers: [''] }),
    );

    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(errorCodeOf(refused)).toBe('INVALID_PARAMETER');
    expect(refused.details).toMatch(
      /^parameter "layers" must be .* without empty items; received ""$/,
    );
    await expectNothingQueued();
  });

  it.each([
    ['sigma 1e-7', { method: 'smoothgrad', samples: 1, sigma: 1e-7, output: 'tensor' }],
    ['alpha 1e-300', { method: 'gradcam', alpha: 1e-300 }],
  ])(
    'Explain should take %s (JavaScript prints it with an exponent) as the number it is',
    async (_, fields) => {
      const reply = await server.client.call<{ explanations: { info: { method: string } }[] }>(
        'Explain',
        { images: [trouser], ...fields },
      );

      expect(reply.explanations.map((e) => e.info.method)).toEqual([fields.method]);
    },
  );

  it('Explain should refuse a seed out of range naming the range alone', async () => {
    const refused = await rejection(
      server.client.call('Explain', { images: [trouser], method: 'smoothgrad', seed: -1 }),
    );

    expect(refused.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(refused.details).toMatch(
      /^parameter "seed" must be an integer from 0 to \d+; received -1$/,
    );
  });
});
