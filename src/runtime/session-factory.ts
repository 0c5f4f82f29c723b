import * as ort from 'onnxruntime-node';

import type { AppConfig } from '../config/app-config';
import { ConfigurationError } from '../errors/configuration.error';

export type ExecutionProviderName = 'cpu' | 'cuda';

export interface CreatedSession {
  readonly session: ort.InferenceSession;
  /** The provider that actually runs the model (CUDA requested but missing falls back to CPU). */
  readonly provider: ExecutionProviderName;
  /** ORT_EXECUTION_PROVIDERS, in order of preference. */
  readonly requested: readonly ExecutionProviderName[];
  /** Why the preferred provider was not used, when it was not. */
  readonly fallbackReason?: string;
}

export interface SessionFactoryOptions {
  readonly executionProviders: readonly ExecutionProviderName[];
  readonly cudaDeviceId: number;
  readonly intraOpThreads: number;
}

/** How a session is opened; onnxruntime's own by default, replaceable to see the options it is given. */
export type SessionOpener = (
  model: string | Uint8Array,
  options: ort.InferenceSession.SessionOptions,
) => Promise<ort.InferenceSession>;

const openWithOnnxruntime: SessionOpener = (model, options) =>
  typeof model === 'string'
    ? ort.InferenceSession.create(model, options)
    : ort.InferenceSession.create(model, options);

export const sessionFactoryOptionsFrom = (config: AppConfig): SessionFactoryOptions => ({
  executionProviders: config.executionProviders,
  cudaDeviceId: config.cudaDeviceId,
  intraOpThreads: config.intraOpThreads,
});

// onnxruntime-node 1.30's binding reads only `deviceId` from a CUDA provider object
// (js/node/src/session_options_helper.cc); any other field would be dropped in silence.
function providerConfig(
  name: ExecutionProviderName,
  options: SessionFactoryOptions,
): ort.InferenceSession.ExecutionProviderConfig {
  return name === 'cpu' ? 'cpu' : { name: 'cuda', deviceId: options.cudaDeviceId };
}

/**
 * Creates onnxruntime sessions on the configured execution providers, in
 * order of preference. When CUDA cannot be initialised (no GPU, CPU-only
 * build) and `cpu` is in the list, it falls back to the CPU and says why;
 * when `cpu` is not in the list, CUDA is required and the start is refused.
 */
export class SessionFactory {
  constructor(
    private readonly options: SessionFactoryOptions,
    private readonly openSession: SessionOpener = openWithOnnxruntime,
  ) {}

  async create(model: string | Uint8Array): Promise<CreatedSession> {
    const requested = this.options.executionProviders;

    if (requested[0] === 'cpu') {
      return { session: await this.open(model, ['cpu']), provider: 'cpu', requested };
    }

    let cudaError: Error;
    try {
      return { session: await this.open(model, ['cuda', 'cpu']), provider: 'cuda', requested };
    } catch (error) {
      cudaError = error as Error;
    }

    // The CPU tells a model that cannot load anywhere (its error is the model's) from a missing CUDA.
    const session = await this.open(model, ['cpu']);
    const fallbackReason = `cuda unavailable: ${cudaError.message}`;

    if (!requested.includes('cpu')) {
      await session.release();
      throw new ConfigurationError([
        {
          variable: 'ORT_EXECUTION_PROVIDERS',
          received: requested.join(','),
          expected: `providers that start on this machine (${fallbackReason}); "cuda,cpu" falls back to the CPU`,
        },
      ]);
    }

    return { session, provider: 'cpu', requested, fallbackReason };
  }

  private open(
    model: string | Uint8Array,
    providers: readonly ExecutionProviderName[],
  ): Promise<ort.InferenceSession> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: providers.map((name) => providerConfig(name, this.options)),
      graphOptimizationLevel: 'all',
      ...(this.options.intraOpThreads > 0
        ? { intraOpNumThreads: this.options.intraOpThreads }
        : {}),
    };

    return this.openSession(model, sessionOptions);
  }
}
