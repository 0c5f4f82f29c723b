import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { InferenceSession } from 'onnxruntime-node';

import { ConfigurationError } from '../errors/configuration.error';
import { DomainError } from '../errors/domain-error';
import { ModelLoadError } from '../errors/model-load.error';
import { ModelNotFoundError } from '../errors/model-not-found.error';
import { ModelUnavailableError } from '../errors/model-unavailable.error';
import type { Logger } from '../logging/logger';
import type { SessionFactory } from '../runtime/session-factory';
import type { ModelDescriptor } from './model-descriptor';
import { describeModel } from './model-describer';

export interface LoadedModel {
  readonly status: 'ready';
  readonly name: string;
  readonly folder: string;
  readonly file: string;
  readonly session: InferenceSession;
  readonly descriptor: ModelDescriptor;
}

export interface BrokenModel {
  readonly status: 'unavailable';
  readonly name: string;
  readonly folder: string;
  readonly code: string;
  readonly reason: string;
}

export type RepositoryEntry = LoadedModel | BrokenModel;

const MODEL_FILE = 'model.onnx';

/**
 * The model repository: one folder per model (model.onnx + optional
 * model.json). A model that fails to load is kept as an entry with its reason,
 * so the others serve and the API can say what is wrong with it.
 */
export class ModelRepository {
  private entries = new Map<string, RepositoryEntry>();

  constructor(
    /** The repository folder, as an absolute path. */
    readonly root: string,
    private readonly sessions: SessionFactory,
    private readonly logger: Logger,
  ) {}

  async loadAll(): Promise<void> {
    const names = await this.listFolders();
    const loaded = new Map<string, RepositoryEntry>();

    for (const name of names) {
      const entry = await this.load(name);
      loaded.set(name, entry);
    }
    this.entries = loaded;
    this.reportFallback();
  }

  /** One warning for the whole repository: the provider is decided once per process. */
  private reportFallback(): void {
    const fellBack = this.list().flatMap((entry) =>
      entry.status === 'ready' && entry.descriptor.executionProviderFallback !== undefined
        ? [entry.descriptor]
        : [],
    );
    const first = fellBack[0];
    if (first === undefined) {
      return;
    }
    this.logger.warn(
      {
        requested: first.requestedExecutionProviders,
        reason: first.executionProviderFallback,
        models: fellBack.map((descriptor) => descriptor.name),
      },
      'execution provider fell back to cpu',
    );
  }

  list(): readonly RepositoryEntry[] {
    return [...this.entries.values()];
  }

  names(): readonly string[] {
    return [...this.entries.keys()];
  }

  /** The loaded model, or the error a caller should see. */
  get(name: string): LoadedModel {
    const entry = this.entries.get(name);

    if (entry === undefined) {
      throw new ModelNotFoundError(name, this.names());
    }
    if (entry.status === 'unavailable') {
      throw new ModelUnavailableError(name, entry.reason);
    }
    return entry;
  }

  entry(name: string): RepositoryEntry {
    const entry = this.entries.get(name);
    if (entry === undefined) {
      throw new ModelNotFoundError(name, this.names());
    }
    return entry;
  }

  readyCount(): number {
    return this.list().filter((entry) => entry.status === 'ready').length;
  }

  /** The model folders; a repository that cannot be read is a configuration error that stops the start. */
  private async listFolders(): Promise<string[]> {
    let dirents;
    try {
      dirents = await fs.readdir(this.root, { withFileTypes: true });
    } catch (error) {
      throw new ConfigurationError([
        {
          variable: 'MODEL_REPOSITORY',
          received: this.root,
          expected: `a readable folder of models (${(error as Error).message})`,
        },
      ]);
    }

    return dirents
      .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
      .map((d) => d.name)
      .sort();
  }

  private async load(name: string): Promise<RepositoryEntry> {
    const folder = path.join(this.root, name);
    const file = path.join(folder, MODEL_FILE);
    const started = performance.now();

    try {
      const { session, ...providers } = await this.openSession(file);
      const descriptor = await describeModel(name, folder, file, session, providers);
      this.logger.info(
        { model: name, provider: providers.provider, ms: Math.round(performance.now() - started) },
        'model loaded',
      );
      return { status: 'ready', name, folder, file, session, descriptor };
    } catch (error) {
      // A provider that the configuration requires and that cannot start stops the process.
      if (error instanceof ConfigurationError) {
        throw error;
      }
      // openSession names the ways a file fails to open; a later failure is no proof of non-ONNX.
      const code = error instanceof DomainError ? error.code : 'MODEL_LOAD_FAILED';
      const reason = (error as Error).message;
      this.logger.error(
        { model: name, code, reason },
        'model failed to load; the others still serve',
      );
      // callers see paths inside the repository (fashion-mnist/model.onnx), not the server's folders
      const shown = reason.split(`${this.root}${path.sep}`).join('');
      return { status: 'unavailable', name, folder, code, reason: shown };
    }
  }

  private async openSession(file: string) {
    try {
      await fs.access(file);
    } catch {
      throw new ModelLoadError('MODEL_FILE_MISSING', `${file} does not exist`);
    }

    try {
      return await this.sessions.create(file);
    } catch (error) {
      if (error instanceof ConfigurationError) {
        throw error;
      }
      const message = (error as Error).message;
      // the message carries the model's path: a folder named "external" says nothing of the failure
      const cause = message.split(path.dirname(file)).join('');
      if (/external|\.bin|data file|No such file/i.test(cause)) {
        throw new ModelLoadError('MODEL_EXTERNAL_DATA_MISSING', `${file}: ${message}`);
      }
      throw new ModelLoadError(
        'MODEL_NOT_ONNX',
        `${file} is not a loadable ONNX model: ${message}`,
      );
    }
  }
}
