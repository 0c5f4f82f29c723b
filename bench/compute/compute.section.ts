import * as ort from 'onnxruntime-node';

import { createJobHandlers, createModelRepository } from '../../src/bootstrap/services';
import { loadConfig } from '../../src/config/app-config';
import {
  EXPLAIN_METHODS,
  explainParametersSchema,
  type ExplainMethod,
} from '../../src/explain/explain-parameters.schema';
import { decodeUpload } from '../../src/imaging/image-decoder';
import { toModelInput } from '../../src/imaging/model-input';
import type { JobHandlerRegistry } from '../../src/jobs/job-handler.registry';
import { toJobOptions } from '../../src/explain/explain-job-options';
import { createLogger } from '../../src/logging/logger';
import type { LoadedModel, ModelRepository } from '../../src/models/model-repository';
import { readModelFile } from '../../src/onnx/model-file.reader';
import { probeValueFacts } from '../../src/runtime/value-probe';
import type { LoopBudget } from '../support/timed-loop';
import { benchEngine, type EngineResult } from './engine.bench';
import { benchJob, type JobOutcome } from './job.bench';

export interface ComputeModel {
  readonly name: string;
  readonly image: Buffer;
  /** Methods too slow for this model at this run length, with the reason. */
  readonly skip: (method: ExplainMethod) => string | undefined;
  /** A smaller budget for methods that run the network many times per job. */
  readonly budgetFor: (method: ExplainMethod) => LoopBudget;
}

export interface ComputeResult {
  readonly model: string;
  readonly inputDims: readonly number[];
  readonly imageBytes: number;
  readonly engine: EngineResult | { readonly error: string };
  readonly jobs: Readonly<Record<string, JobOutcome>>;
  readonly explainAvailable: string;
}

export interface ComputeOptions {
  readonly modelRepository: string;
  readonly intraOpThreads: number;
  readonly budget: LoopBudget;
  readonly profileDir: string | undefined;
  readonly log: (line: string) => void;
}

/** Compute on each model: the engine's runs, then every job kind and method through its handler. */
export async function runComputeSection(
  models: readonly ComputeModel[],
  options: ComputeOptions,
): Promise<ComputeResult[]> {
  const config = loadConfig({
    MODEL_REPOSITORY: options.modelRepository,
    ORT_INTRA_OP_THREADS: String(options.intraOpThreads),
    LOG_LEVEL: 'silent',
  });
  const repository = await createModelRepository(config, createLogger('silent'));
  const handlers = createJobHandlers(config, repository);
  const results: ComputeResult[] = [];

  for (const model of models) {
    options.log(`compute: ${model.name}`);
    results.push(await benchModel(model, repository, handlers, options));
  }
  return results;
}

async function benchModel(
  model: ComputeModel,
  repository: ModelRepository,
  handlers: JobHandlerRegistry,
  options: ComputeOptions,
): Promise<ComputeResult> {
  const loaded = repository.get(model.name);
  const input = await modelInput(loaded, model.image);
  const engine = await benchEngineSafely(loaded, input, options);
  const jobs: Record<string, JobOutcome> = {};
  // The plain run as the service does it: the repository's own session.
  const plainRun = () =>
    loaded.session.run({ [loaded.descriptor.input.name]: input }, [loaded.descriptor.output]);

  const predict = handlers.get('predict');
  if (predict !== undefined) {
    options.log(`  job predict`);
    jobs.predict = await benchJob(
      predict,
      { kind: 'predict', model: model.name, options: { top_k: 5 } },
      model.image,
      options.budget,
      plainRun,
    );
  }

  const explain = handlers.get('explain');
  const explainAvailable =
    explain === undefined
      ? 'not available: no explain handler registered in createJobHandlers'
      : 'available';
  for (const method of EXPLAIN_METHODS) {
    const skipped = explain === undefined ? explainAvailable : model.skip(method);
    if (skipped !== undefined || explain === undefined) {
      jobs[`explain:${method}`] = { status: 'skipped', reason: skipped ?? explainAvailable };
      continue;
    }
    options.log(`  job explain ${method}`);
    const parsed = explainParametersSchema.parse({ method, model: model.name });
    jobs[`explain:${method}`] = await benchJob(
      explain,
      { kind: 'explain', model: model.name, options: toJobOptions(parsed) },
      model.image,
      model.budgetFor(method),
      plainRun,
    );
  }

  return {
    model: model.name,
    inputDims: input.dims,
    imageBytes: model.image.length,
    engine,
    jobs,
    explainAvailable,
  };
}

async function modelInput(loaded: LoadedModel, image: Buffer): Promise<ort.Tensor> {
  const decoded = await decodeUpload(
    image,
    { maxPixels: 50_000_000 },
    loaded.descriptor.input.background,
  );
  const input = await toModelInput([decoded], loaded.descriptor.input);
  return new ort.Tensor('float32', input.tensor, input.dims);
}

async function benchEngineSafely(
  loaded: LoadedModel,
  input: ort.Tensor,
  options: ComputeOptions,
): Promise<EngineResult | { error: string }> {
  try {
    const proto = readModelFile(loaded.file);
    const inputName = loaded.descriptor.input.name;
    const facts = await probeValueFacts(proto, { [inputName]: input.dims });
    options.log(`  engine: plain, last layer, input gradient`);
    return await benchEngine(
      { model: loaded.name, proto, facts, inputName, outputName: loaded.descriptor.output, input },
      {
        intraOpThreads: options.intraOpThreads,
        budget: options.budget,
        ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
      },
    );
  } catch (error) {
    const e = error as Error & { code?: string };
    return { error: `${e.code ?? e.name}: ${e.message}` };
  }
}
