import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import { differentiate, type AugmentedModel } from '../../src/onnx/autodiff/differentiate';
import { encodeModel } from '../../src/onnx/onnx.codec';
import type { ModelProto } from '../../src/onnx/onnx.types';
import type { ValueFacts } from '../../src/onnx/value-facts';

export interface EngineSessionOptions {
  /** 0 lets onnxruntime choose (one thread per core), as ORT_INTRA_OP_THREADS=0 does. */
  readonly intraOpThreads: number;
  /** Writes an onnxruntime profile (per-node kernel times) under this prefix. */
  readonly profilePrefix?: string;
}

/**
 * The session options the service's SessionFactory uses on the CPU (every
 * graph optimisation, the configured thread count), so the plain and the
 * augmented runs are compared on equal terms.
 */
export function sessionOptions(options: EngineSessionOptions): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.profilePrefix === undefined
      ? {}
      : { enableProfiling: true, profileFilePrefix: options.profilePrefix }),
  };
}

export interface AugmentedSession {
  readonly session: ort.InferenceSession;
  readonly augmented: AugmentedModel;
  readonly scoreShape: readonly number[];
  readonly buildMs: number;
}

/** differentiate() for the given targets, encoded and opened with the plain run's options. */
export async function openAugmented(
  model: ModelProto,
  facts: ValueFacts,
  targets: { readonly layers: readonly string[]; readonly includeInput: boolean },
  options: EngineSessionOptions,
): Promise<AugmentedSession> {
  const started = performance.now();
  const augmented = differentiate(model, facts, {
    targets: targets.layers,
    includeInput: targets.includeInput,
  });
  const session = await ort.InferenceSession.create(
    encodeModel(augmented.model),
    sessionOptions(options),
  );
  const scoreShape = facts.get(augmented.scoreOutput)?.shape ?? [];
  return { session, augmented, scoreShape, buildMs: performance.now() - started };
}

/** A one-hot upstream gradient: d(score[classIndex]) as the objective, like Grad-CAM's. */
export function oneHot(shape: readonly number[], classIndex: number): ort.Tensor {
  const data = new Float32Array(shape.reduce((p, d) => p * d, 1));
  data[classIndex] = 1;
  return new ort.Tensor('float32', data, shape);
}

/** Ends profiling and returns the path of the profile file onnxruntime wrote for `prefix`. */
export async function finishProfile(
  session: ort.InferenceSession,
  prefix: string,
): Promise<string | undefined> {
  session.endProfiling();
  const dir = path.dirname(prefix);
  const base = path.basename(prefix);
  const files = (await fs.readdir(dir)).filter((f) => f.startsWith(base) && f.endsWith('.json'));
  const stats = await Promise.all(
    files.map(async (f) => ({ f, t: (await fs.stat(path.join(dir, f))).mtimeMs })),
  );
  const newest = stats.sort((a, b) => b.t - a.t)[0];
  return newest === undefined ? undefined : path.join(dir, newest.f);
}
