import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import { SessionFactory, type SessionFactoryOptions } from '../../../src/runtime/session-factory';

const MODEL = path.resolve(__dirname, '../../../models/fashion-mnist/model.onnx');

const options = (
  executionProviders: SessionFactoryOptions['executionProviders'],
): SessionFactoryOptions => ({
  executionProviders,
  cudaDeviceId: 0,
  cudaMemoryLimitBytes: 256 * 1024 * 1024,
  intraOpThreads: 1,
});

const cudaBundled = ort
  .listSupportedBackends()
  .some((backend) => backend.name === 'cuda' && backend.bundled);

describe('SessionFactory', () => {
  it('should run on the CPU when the CPU is the only provider asked for', async () => {
    const created = await new SessionFactory(options(['cpu'])).create(MODEL);

    expect(created.provider).toBe('cpu');
    expect(created.fallbackReason).toBeUndefined();
    await created.session.release();
  });

  (cudaBundled ? it.skip : it)(
    'should fall back to the CPU, saying why, when CUDA is asked for but this build has no CUDA provider',
    async () => {
      const created = await new SessionFactory(options(['cuda', 'cpu'])).create(MODEL);

      expect(created.provider).toBe('cpu');
      expect(created.fallbackReason).toMatch(/^cuda unavailable: /);
      const input = new ort.Tensor('float32', new Float32Array(28 * 28), [1, 1, 28, 28]);
      const output = await created.session.run({ input });
      expect(output.logits?.dims).toEqual([1, 10]);
      await created.session.release();
    },
  );

  it('should fall back to the CPU when only CUDA is asked for and it cannot start', async () => {
    const created = await new SessionFactory(options(['cuda'])).create(MODEL);

    expect(created.provider).toBe(cudaBundled ? 'cuda' : 'cpu');
    await created.session.release();
  });
});
