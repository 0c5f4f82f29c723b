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

/** What the first session found out about CUDA on this machine; later sessions reuse it. */
type ProviderDecision =
  { readonly provider: 'cuda' } | { readonly provider: 'cpu'; readonly fallbackReason: string };

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
 * order of preference. CUDA is tried once, by the first session: when it
 * cannot be initialised (no GPU, CPU-only build) and `cpu` is in the list,
 * that session and every later one run on the CPU with the reason kept;
 * when `cpu` is not in the list, CUDA is required and the start is refused.
 *
 * onnxruntime prints a failed CUDA start on stderr through its process-wide
 * logger, whose level onnxruntime-node fixes when the first session is made
 * (`ort.env.logLevel`); a session's `logSeverityLevel` does not reach it. One
 * probe per process keeps that to one line.
 */
export class SessionFactory {
  private decision: ProviderDecision | undefined;
  /** The probe in progress; sessions asked for meanwhile wait for its decision. */
  private probing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: SessionFactoryOptions,
    private readonly openSession: SessionOpener = openWithOnnxruntime,
  ) {}

  async create(model: string | Uint8Array): Promise<CreatedSession> {
    const requested = this.options.executionProviders;

    if (requested[0] === 'cpu') {
      return { session: await this.open(model, ['cpu']), provider: 'cpu', requested };
    }
    if (this.decision === undefined) {
      const probe = this.probing.then(() => this.createDeciding(model));
      this.probing = probe.catch(() => undefined);
      return probe;
    }
    return this.createDecided(model, this.decision);
  }

  private async createDecided(
    model: string | Uint8Array,
    decision: ProviderDecision,
  ): Promise<CreatedSession> {
    const requested = this.options.executionProviders;

    if (decision.provider === 'cuda') {
      return { session: await this.open(model, ['cuda', 'cpu']), provider: 'cuda', requested };
    }
    if (!requested.includes('cpu')) {
      throw cudaRequiredError(requested, decision.fallbackReason);
    }
    const session = await this.open(model, ['cpu']);
    return { session, provider: 'cpu', requested, fallbackReason: decision.fallbackReason };
  }

  /** The first session with CUDA in front: its outcome decides for every later one. */
  private async createDeciding(model: string | Uint8Array): Promise<CreatedSession> {
    if (this.decision !== undefined) {
      return this.createDecided(model, this.decision);
    }
    const requested = this.options.executionProviders;

    let cudaError: Error;
    try {
      const session = await this.open(model, ['cuda', 'cpu']);
      this.decision = { provider: 'cuda' };
      return { session, provider: 'cuda', requested };
    } catch (error) {
      cudaError = error as Error;
    }

    // The CPU tells a model that cannot load anywhere (its error is the model's, and CUDA
    // stays undecided) from a missing CUDA.
    const session = await this.open(model, ['cpu']);
    const fallbackReason = `cuda unavailable: ${cudaError.message}`;
    this.decision = { provider: 'cpu', fallbackReason };

    if (!requested.includes('cpu')) {
      await session.release();
      throw cudaRequiredError(requested, fallbackReason);
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

function cudaRequiredError(
  requested: readonly ExecutionProviderName[],
  fallbackReason: string,
): ConfigurationError {
  return new ConfigurationError([
    {
      variable: 'ORT_EXECUTION_PROVIDERS',
      received: requested.join(','),
      expected: `providers that start on this machine (${fallbackReason}); "cuda,cpu" falls back to the CPU`,
    },
  ]);
}

const processFactories = new Map<string, SessionFactory>();

/**
 * The process's one SessionFactory for these settings, so that the model
 * repository, the views and the explainers share one CUDA decision instead of
 * each probing CUDA again.
 */
export function processSessionFactory(config: AppConfig): SessionFactory {
  const options = sessionFactoryOptionsFrom(config);
  const key = JSON.stringify(options);
  let factory = processFactories.get(key);

  if (factory === undefined) {
    factory = new SessionFactory(options);
    processFactories.set(key, factory);
  }
  return factory;
}
