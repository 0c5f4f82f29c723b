import * as ort from 'onnxruntime-node';

import type { AppConfig } from '../config/app-config';

export type ExecutionProviderName = 'cpu' | 'cuda';

export interface CreatedSession {
  readonly session: ort.InferenceSession;
  /** The provider that actually runs the model (CUDA requested but missing falls back to CPU). */
  readonly provider: ExecutionProviderName;
  /** Why the requested provider was not used, when it was not. */
  readonly fallbackReason?: string;
}

export interface SessionFactoryOptions {
  readonly executionProviders: readonly ExecutionProviderName[];
  readonly cudaDeviceId: number;
  readonly cudaMemoryLimitBytes: number | undefined;
  readonly intraOpThreads: number;
}

export const sessionFactoryOptionsFrom = (config: AppConfig): SessionFactoryOptions => ({
  executionProviders: config.executionProviders,
  cudaDeviceId: config.cudaDeviceId,
  cudaMemoryLimitBytes: config.cudaMemoryLimitBytes,
  intraOpThreads: config.intraOpThreads,
});

function providerConfig(
  name: ExecutionProviderName,
  options: SessionFactoryOptions,
): ort.InferenceSession.ExecutionProviderConfig {
  if (name === 'cpu') {
    return 'cpu';
  }

  return {
    name: 'cuda',
    deviceId: options.cudaDeviceId,
    ...(options.cudaMemoryLimitBytes === undefined
      ? {}
      : { gpuMemLimit: options.cudaMemoryLimitBytes }),
  };
}

/**
 * Creates onnxruntime sessions on the configured execution providers, in
 * order of preference; when CUDA cannot be initialised (no GPU, CPU-only
 * build) it falls back to the CPU and says why, rather than refusing to serve.
 */
export class SessionFactory {
  constructor(private readonly options: SessionFactoryOptions) {}

  async create(model: string | Uint8Array): Promise<CreatedSession> {
    const wanted = this.options.executionProviders;
    let fallbackReason: string | undefined;

    for (const provider of wanted) {
      if (provider === 'cpu') {
        break;
      }
      try {
        const session = await this.open(model, [provider, 'cpu']);
        return { session, provider };
      } catch (error) {
        fallbackReason = `${provider} unavailable: ${(error as Error).message}`;
      }
    }

    const session = await this.open(model, ['cpu']);
    return fallbackReason === undefined
      ? { session, provider: 'cpu' }
      : { session, provider: 'cpu', fallbackReason };
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

    return typeof model === 'string'
      ? ort.InferenceSession.create(model, sessionOptions)
      : ort.InferenceSession.create(model, sessionOptions);
  }
}
