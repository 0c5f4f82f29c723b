import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import { loadConfig } from '../../../src/config/app-config';
import { ConfigurationError } from '../../../src/errors/configuration.error';
import {
  processSessionFactory,
  SessionFactory,
  type SessionFactoryOptions,
  type SessionOpener,
} from '../../../src/runtime/session-factory';

const MODEL = path.resolve(__dirname, '../../../models/fashion-mnist/model.onnx');

const options = (
  executionProviders: SessionFactoryOptions['executionProviders'],
  cudaDeviceId = 0,
): SessionFactoryOptions => ({ executionProviders, cudaDeviceId, intraOpThreads: 1 });

const cudaBundled = ort
  .listSupportedBackends()
  .some((backend) => backend.name === 'cuda' && backend.bundled);

const usesCuda = (sessionOptions: ort.InferenceSession.SessionOptions): boolean =>
  (sessionOptions.executionProviders ?? []).some(
    (provider) => typeof provider === 'object' && provider.name === 'cuda',
  );

/** An opener that records the options onnxruntime is given and stands in for a machine without a GPU. */
function recordingOpener(cudaFails: boolean) {
  const calls: ort.InferenceSession.SessionOptions[] = [];
  const open: SessionOpener = async (model, sessionOptions) => {
    calls.push(sessionOptions);
    if (cudaFails && usesCuda(sessionOptions)) {
      throw new Error('CUDA failure 100: no CUDA-capable device is detected');
    }
    return ort.InferenceSession.create(model as string, { executionProviders: ['cpu'] });
  };
  return { calls, open };
}

async function creationError(factory: SessionFactory, model: string | Uint8Array): Promise<Error> {
  try {
    const created = await factory.create(model);
    await created.session.release();
  } catch (error) {
    return error as Error;
  }
  throw new Error('SessionFactory.create succeeded');
}

describe('SessionFactory', () => {
  it('runs on the CPU, with nothing to report, when the CPU is the only provider asked for', async () => {
    const created = await new SessionFactory(options(['cpu'])).create(MODEL);

    expect(created.provider).toBe('cpu');
    expect(created.requested).toEqual(['cpu']);
    expect(created.fallbackReason).toBeUndefined();
    await created.session.release();
  });

  it('gives onnxruntime the CUDA provider with the configured device id, then the CPU', async () => {
    const { calls, open } = recordingOpener(false);

    const created = await new SessionFactory(options(['cuda', 'cpu'], 3), open).create(MODEL);

    expect(calls).toEqual([
      {
        executionProviders: [{ name: 'cuda', deviceId: 3 }, 'cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: 1,
      },
    ]);
    expect(created.provider).toBe('cuda');
    expect(created.fallbackReason).toBeUndefined();
    await created.session.release();
  });

  it('passes no CUDA field other than deviceId, the only one onnxruntime-node 1.30 reads', async () => {
    const { calls, open } = recordingOpener(false);

    const created = await new SessionFactory(options(['cuda'], 1), open).create(MODEL);

    expect(calls[0].executionProviders?.[0]).toStrictEqual({ name: 'cuda', deviceId: 1 });
    await created.session.release();
  });

  it('falls back to the CPU, saying why, when CUDA cannot start and cpu is in the list', async () => {
    const { calls, open } = recordingOpener(true);

    const created = await new SessionFactory(options(['cuda', 'cpu']), open).create(MODEL);

    expect(calls.map((call) => call.executionProviders)).toEqual([
      [{ name: 'cuda', deviceId: 0 }, 'cpu'],
      ['cpu'],
    ]);
    expect(created.provider).toBe('cpu');
    expect(created.requested).toEqual(['cuda', 'cpu']);
    expect(created.fallbackReason).toBe(
      'cuda unavailable: CUDA failure 100: no CUDA-capable device is detected',
    );
    await created.session.release();
  });

  it('tries CUDA once per factory: later sessions reuse the fallback and its reason', async () => {
    const { calls, open } = recordingOpener(true);
    const factory = new SessionFactory(options(['cuda', 'cpu']), open);

    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await factory.create(MODEL));
    }

    expect(calls.filter(usesCuda)).toHaveLength(1);
    expect(calls.map((call) => call.executionProviders)).toEqual([
      [{ name: 'cuda', deviceId: 0 }, 'cpu'],
      ['cpu'],
      ['cpu'],
      ['cpu'],
    ]);
    for (const session of created) {
      expect(session).toMatchObject({
        provider: 'cpu',
        fallbackReason: 'cuda unavailable: CUDA failure 100: no CUDA-capable device is detected',
      });
      await session.session.release();
    }
  });

  it('tries CUDA once when several sessions are asked for at the same time', async () => {
    const { calls, open } = recordingOpener(true);
    const factory = new SessionFactory(options(['cuda', 'cpu']), open);

    const created = await Promise.all([
      factory.create(MODEL),
      factory.create(MODEL),
      factory.create(MODEL),
    ]);

    expect(calls.filter(usesCuda)).toHaveLength(1);
    expect(created.map((c) => c.provider)).toEqual(['cpu', 'cpu', 'cpu']);
    await Promise.all(created.map((c) => c.session.release()));
  });

  it('keeps CUDA for every later session once it started', async () => {
    const { calls, open } = recordingOpener(false);
    const factory = new SessionFactory(options(['cuda', 'cpu']), open);

    const first = await factory.create(MODEL);
    const second = await factory.create(MODEL);

    expect(calls.map((call) => call.executionProviders)).toEqual([
      [{ name: 'cuda', deviceId: 0 }, 'cpu'],
      [{ name: 'cuda', deviceId: 0 }, 'cpu'],
    ]);
    expect([first.provider, second.provider]).toEqual(['cuda', 'cuda']);
    await first.session.release();
    await second.session.release();
  });

  it('leaves CUDA undecided after a model that loads nowhere, and decides on the next one', async () => {
    const { calls, open } = recordingOpener(true);
    const factory = new SessionFactory(options(['cuda', 'cpu']), open);

    await expect(factory.create(new TextEncoder().encode('not a protobuf'))).rejects.toThrow();
    const created = await factory.create(MODEL);

    expect(calls.filter(usesCuda)).toHaveLength(2);
    expect(created.provider).toBe('cpu');
    await created.session.release();
  });

  it('keeps refusing cuda alone after the first refusal, without trying CUDA again', async () => {
    const { calls, open } = recordingOpener(true);
    const factory = new SessionFactory(options(['cuda']), open);

    expect(await creationError(factory, MODEL)).toBeInstanceOf(ConfigurationError);
    const again = await creationError(factory, MODEL);

    expect(again).toBeInstanceOf(ConfigurationError);
    expect(again.message).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
    expect(calls.filter(usesCuda)).toHaveLength(1);
  });

  it('refuses to start, naming ORT_EXECUTION_PROVIDERS, when only cuda is asked for and it cannot start', async () => {
    const { open } = recordingOpener(true);

    const error = await creationError(new SessionFactory(options(['cuda']), open), MODEL);

    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
    expect(error.message).toContain('cuda unavailable: CUDA failure 100');
    expect(error.message).toContain('"cuda,cpu" falls back to the CPU');
  });

  it("reports a model that loads nowhere as the model's error, not as a missing CUDA", async () => {
    const error = await creationError(
      new SessionFactory(options(['cuda'])),
      new TextEncoder().encode('not a protobuf'),
    );

    expect(error).not.toBeInstanceOf(ConfigurationError);
    expect(error.message).toMatch(/protobuf|parse/i);
  });

  (cudaBundled ? it.skip : it)(
    'falls back to the CPU on this CPU-only onnxruntime build, and the session runs',
    async () => {
      const created = await new SessionFactory(options(['cuda', 'cpu'])).create(MODEL);

      expect(created.provider).toBe('cpu');
      expect(created.fallbackReason).toMatch(/^cuda unavailable: .*cuda/i);
      const input = new ort.Tensor('float32', new Float32Array(28 * 28), [1, 1, 28, 28]);
      const output = await created.session.run({ input });
      expect(output.logits?.dims).toEqual([1, 10]);
      await created.session.release();
    },
  );

  (cudaBundled ? it.skip : it)(
    'refuses ORT_EXECUTION_PROVIDERS=cuda on this CPU-only onnxruntime build',
    async () => {
      const error = await creationError(new SessionFactory(options(['cuda'])), MODEL);

      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
    },
  );
});

describe('processSessionFactory', () => {
  it('gives every caller of one process the same factory for the same settings', () => {
    const config = loadConfig({ ORT_EXECUTION_PROVIDERS: 'cuda,cpu', ORT_INTRA_OP_THREADS: '1' });

    expect(processSessionFactory(config)).toBe(processSessionFactory({ ...config }));
    expect(processSessionFactory(config)).not.toBe(
      processSessionFactory(loadConfig({ ORT_EXECUTION_PROVIDERS: 'cpu' })),
    );
  });
});
