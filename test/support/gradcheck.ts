import * as ort from 'onnxruntime-node';

import { differentiate } from '../../src/onnx/autodiff/differentiate';
import type { ReluRule } from '../../src/onnx/autodiff/gradient-rule';
import { exposeValues } from '../../src/onnx/expose-values';
import { encodeModel } from '../../src/onnx/onnx.codec';
import { DataType, type ModelProto } from '../../src/onnx/onnx.types';
import { probeValueFacts } from '../../src/runtime/value-probe';
import { seededRandom, separatedValues } from './seeded-random';

/**
 * Float32 central differences of f(x) = <u, score(x)>, in float32 because
 * onnxruntime's CPU Conv has no float64 kernel. Their error is the rounding
 * of f, about 6e-8 |f| / step, plus the truncation, step^2 |f'''| / 6. With
 * |f| and |f'''| of order 1 the sum is smallest near step 5e-3; 3e-3 keeps
 * the step below the margins separatedValues leaves around kinks and ties
 * (0.5 / count from a kink on its grid, 1 / count between two values) for
 * the inputs of up to ~150 elements these tests use, so a step never
 * crosses a ReLU kink or a max-pooling tie.
 */
export const GRADCHECK_STEP = 3e-3;
/**
 * Passing: max |analytic - numeric| <= tolerance * max |numeric| over the
 * checked inputs (an absolute bound when every numeric gradient is 0). At
 * step 3e-3 the rule tests err by at most 2.5e-4 of their largest gradient
 * (ReduceLogSumExp over 24 elements, rounding); 1e-3 leaves a 4x margin and
 * still fails a rule whose gradient is 0.5% off (0.5% of the largest).
 */
export const GRADCHECK_TOLERANCE = 1e-3;

type FeedData = Float32Array | BigInt64Array;

export interface GradcheckOptions {
  /** Graph inputs whose gradients are checked: data inputs and weights passed as inputs. */
  readonly wrt: readonly string[];
  /** Fixed input values; the other inputs get seeded, well-separated values in [-1, 1]. */
  readonly inputs?: Readonly<Record<string, FeedData>>;
  readonly seed?: number;
  readonly step?: number;
  readonly tolerance?: number;
  readonly output?: string;
  readonly score?: 'logits' | 'probability';
  readonly reluRule?: ReluRule;
}

export interface GradcheckMismatch {
  readonly input: string;
  readonly index: number;
  readonly analytic: number;
  readonly numeric: number;
}

export interface GradcheckReport {
  readonly ok: boolean;
  /** max |analytic - numeric| / max |numeric| (1 when every numeric gradient is 0) */
  readonly maxError: number;
  readonly worst: GradcheckMismatch | undefined;
  readonly analytic: Readonly<Record<string, Float32Array>>;
  readonly numeric: Readonly<Record<string, Float64Array>>;
}

/** Compares differentiate()'s gradients with central finite differences, both run in onnxruntime. */
export async function gradcheck(
  model: ModelProto,
  options: GradcheckOptions,
): Promise<GradcheckReport> {
  const random = seededRandom(options.seed ?? 1234);
  const shapes = inputShapes(model);
  const feeds = makeFeeds(model, shapes, options.inputs ?? {}, random);
  const facts = await probeValueFacts(model, shapes);

  const augmented = differentiate(model, facts, {
    targets: options.wrt,
    ...(options.output === undefined ? {} : { output: options.output }),
    ...(options.score === undefined ? {} : { score: options.score }),
    ...(options.reluRule === undefined ? {} : { reluRule: options.reluRule }),
  });
  const scoreShape = facts.get(augmented.scoreOutput)?.shape ?? [];
  const upstream = Float32Array.from({ length: count(scoreShape) }, () => 2 * random() - 1);

  const analytic = await runAnalytic(
    augmented.model,
    feeds,
    augmented.upstreamGradientInput,
    upstream,
    scoreShape,
    augmented.targets,
  );
  const numeric = await runNumeric(
    exposeValues(model, [augmented.scoreOutput]),
    feeds,
    augmented.scoreOutput,
    upstream,
    options.wrt,
    options.step ?? GRADCHECK_STEP,
  );
  return compareGradients(analytic, numeric, options.wrt, options.tolerance ?? GRADCHECK_TOLERANCE);
}

/** gradcheck that throws a readable message on a mismatch, for `await expectGradcheck(...)` in tests. */
export async function expectGradcheck(
  model: ModelProto,
  options: GradcheckOptions,
): Promise<GradcheckReport> {
  const report = await gradcheck(model, options);
  if (!report.ok) {
    const w = report.worst;
    throw new Error(
      `gradient mismatch: max relative error ${report.maxError.toExponential(3)} > ${options.tolerance ?? GRADCHECK_TOLERANCE}` +
        (w === undefined
          ? ''
          : `; worst at ${w.input}[${w.index}]: analytic ${w.analytic}, numeric ${w.numeric}`),
    );
  }
  return report;
}

function inputShapes(model: ModelProto): Record<string, number[]> {
  const initializers = new Set(model.graph?.initializer.map((t) => t.name));
  const shapes: Record<string, number[]> = {};
  for (const input of model.graph?.input ?? []) {
    if (!initializers.has(input.name)) {
      shapes[input.name ?? ''] = (input.type?.tensorType?.shape?.dim ?? []).map(
        (d) => d.dimValue ?? 1,
      );
    }
  }
  return shapes;
}

function makeFeeds(
  model: ModelProto,
  shapes: Record<string, number[]>,
  fixed: Readonly<Record<string, FeedData>>,
  random: () => number,
): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const type = model.graph?.input.find((i) => i.name === name)?.type?.tensorType?.elemType;
    const data =
      fixed[name] ??
      (type === DataType.INT64
        ? new BigInt64Array(count(shape))
        : separatedValues(count(shape), random));
    feeds[name] =
      data instanceof BigInt64Array
        ? new ort.Tensor('int64', data, shape)
        : new ort.Tensor('float32', data, shape);
  }
  return feeds;
}

async function runAnalytic(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
  upstreamName: string,
  upstream: Float32Array,
  scoreShape: readonly number[],
  targets: readonly { value: string; gradientOutput: string }[],
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    const results = await session.run({
      ...feeds,
      [upstreamName]: new ort.Tensor('float32', upstream, scoreShape),
    });
    return Object.fromEntries(
      targets.map((t) => [
        t.value,
        Float32Array.from(results[t.gradientOutput]?.data as Float32Array),
      ]),
    );
  } finally {
    await session.release();
  }
}

async function runNumeric(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
  score: string,
  upstream: Float32Array,
  wrt: readonly string[],
  step: number,
): Promise<Record<string, Float64Array>> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  const objective = async (changed: Record<string, ort.Tensor>): Promise<number> => {
    const results = await session.run({ ...feeds, ...changed });
    const y = results[score]?.data as Float32Array;
    let sum = 0;
    for (let i = 0; i < y.length; i++) {
      sum += (upstream[i] ?? 0) * (y[i] ?? 0);
    }
    return sum;
  };

  try {
    const numeric: Record<string, Float64Array> = {};
    for (const name of wrt) {
      const base = feeds[name];
      const x = Float32Array.from(base.data as Float32Array);
      const gradient = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const original = x[i] ?? 0;
        x[i] = original + step;
        const plus = await objective({
          [name]: new ort.Tensor('float32', Float32Array.from(x), base.dims),
        });
        x[i] = original - step;
        const minus = await objective({
          [name]: new ort.Tensor('float32', Float32Array.from(x), base.dims),
        });
        x[i] = original;
        gradient[i] = (plus - minus) / (2 * step);
      }
      numeric[name] = gradient;
    }
    return numeric;
  } finally {
    await session.release();
  }
}

/** Judges analytic against numeric gradients by GRADCHECK_TOLERANCE's rule; exported to test the rule. */
export function compareGradients(
  analytic: Readonly<Record<string, Float32Array>>,
  numeric: Readonly<Record<string, Float64Array>>,
  wrt: readonly string[],
  tolerance: number,
): GradcheckReport {
  const largest = wrt.reduce(
    (m, name) => (numeric[name] ?? []).reduce((k, v) => Math.max(k, Math.abs(v)), m),
    0,
  );
  const scale = largest === 0 ? 1 : largest;
  let maxError = 0;
  let worst: GradcheckMismatch | undefined;
  for (const name of wrt) {
    const a = analytic[name] ?? new Float32Array();
    const n = numeric[name] ?? new Float64Array();
    if (a.length !== n.length) {
      return { ok: false, maxError: Infinity, worst: undefined, analytic, numeric };
    }
    n.forEach((value, index) => {
      const error = Math.abs((a[index] ?? NaN) - value) / scale;
      if (!(error <= maxError)) {
        maxError = error;
        worst = { input: name, index, analytic: a[index] ?? NaN, numeric: value };
      }
    });
  }
  return { ok: maxError <= tolerance, maxError, worst, analytic, numeric };
}

const count = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
