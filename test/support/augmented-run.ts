import * as ort from 'onnxruntime-node';

import {
  differentiate,
  type AugmentedModel,
  type DifferentiateOptions,
} from '../../src/onnx/autodiff/differentiate';
import { encodeModel } from '../../src/onnx/onnx.codec';
import type { ModelProto } from '../../src/onnx/onnx.types';
import { probeValueFacts } from '../../src/runtime/value-probe';

export interface AugmentedRun {
  readonly augmented: AugmentedModel;
  /** Every output of the augmented model, as float32 data. */
  readonly outputs: Readonly<Record<string, Float32Array>>;
}

/**
 * Probes, differentiates and runs once: `upstream` fills the upstream
 * gradient (a number fills every element, a function gets the score's shape).
 */
export async function runDifferentiated(
  model: ModelProto,
  inputs: Readonly<Record<string, { data: Float32Array; shape: readonly number[] }>>,
  options: DifferentiateOptions,
  upstream: number | ((shape: readonly number[]) => Float32Array),
): Promise<AugmentedRun> {
  const shapes = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [name, value.shape]),
  );
  const facts = await probeValueFacts(model, shapes);
  const augmented = differentiate(model, facts, options);
  const scoreShape = facts.get(augmented.scoreOutput)?.shape ?? [];
  const size = scoreShape.reduce((p, d) => p * d, 1);
  const u =
    typeof upstream === 'number' ? new Float32Array(size).fill(upstream) : upstream(scoreShape);

  const session = await ort.InferenceSession.create(encodeModel(augmented.model));
  try {
    const feeds: Record<string, ort.Tensor> = {
      [augmented.upstreamGradientInput]: new ort.Tensor('float32', u, scoreShape),
    };
    for (const [name, value] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor('float32', value.data, value.shape);
    }
    const results = await session.run(feeds);
    const outputs = Object.fromEntries(
      Object.entries(results).map(([name, tensor]) => [
        name,
        Float32Array.from(tensor.data as Float32Array),
      ]),
    );
    return { augmented, outputs };
  } finally {
    await session.release();
  }
}
