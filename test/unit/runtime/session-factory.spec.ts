import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import { ConfigurationError } from '../../../src/errors/configuration.error';
import {
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
