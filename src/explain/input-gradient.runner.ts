import type { ReluRule } from '../onnx/autodiff/gradient-rule';
import type { RawExplanation } from './cam-family.runner';
import type { ResolvedExplainParameters } from './explain-parameters.schema';
import type { ExplainSessions, GradientSession } from './explain-sessions';
import type { ExplainableModel } from './explainable-model';
import { type ModelTensor, toPlanes } from './input-tensor';
import type { LayerTensors } from './layer-tensors';
import { gradCamMap } from './methods/grad-cam.method';
import { guidedGradCamMap } from './methods/guided-grad-cam.method';
import {
  integratedGradients,
  integratedGradientsMap,
  pathPoint,
} from './methods/integrated-gradients.method';
import { type InputPlanes, saliencyMap } from './methods/saliency.method';
import {
  boxMullerNormals,
  noisyInput,
  type NormalSource,
  smoothGradMap,
} from './methods/smooth-grad.method';
import { runGradient, type RunTarget } from './model-runs';
import { controlledRun, type RunControl } from './run-control';
import { seededUniform } from './seeded-uniform';

/**
 * An input-resolution explanation. `planes` is the signed attribution per input channel [C, H, W]
 * that a tensor answers with for guided backprop, and for every method with normalize=false: the
 * gradient (saliency, guided backprop), the mean of the samples' gradients (SmoothGrad), the
 * attribution (Integrated Gradients); guided Grad-CAM has none.
 */
export interface InputExplanation extends RawExplanation {
  readonly planes: InputPlanes | undefined;
}

export interface InputGradientContext {
  readonly model: ExplainableModel;
  readonly sessions: ExplainSessions;
  /** Grad-CAM's layer, for guided-gradcam. */
  readonly layer: string | undefined;
  readonly options: ResolvedExplainParameters;
  /** The job's cancellation and progress, around every model run. */
  readonly control?: RunControl;
  /** The preprocessed black image, for integrated-gradients' default baseline. */
  readonly blackBaseline: Float32Array;
  /**
   * SmoothGrad's noise for a seed, made afresh for each image and class; by default Box-Muller
   * over mulberry32 (seededNormals). A test passes recorded draws here.
   */
  readonly noise?: (seed: number) => NormalSource;
}

/** The service's SmoothGrad noise: repeatable for a seed. */
export function seededNormals(seed: number): NormalSource {
  return boxMullerNormals(seededUniform(seed));
}

type Computation = (
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
) => Promise<InputExplanation>;

const INPUT_METHOD_TABLE: Readonly<Record<string, Computation>> = {
  saliency: (ctx, input, target) => gradientMap(ctx, input, target, 'standard'),
  'guided-backprop': (ctx, input, target) => gradientMap(ctx, input, target, 'guided'),
  'guided-gradcam': (ctx, input, target) => guidedGradCam(ctx, input, target),
  smoothgrad: (ctx, input, target) => smoothGrad(ctx, input, target),
  'integrated-gradients': (ctx, input, target) => integrated(ctx, input, target),
};

/** Saliency, guided backprop, guided Grad-CAM, SmoothGrad, Integrated Gradients for one image and class. */
export function computeInputMap(
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<InputExplanation> {
  const method = INPUT_METHOD_TABLE[ctx.options.method];
  if (method === undefined) {
    return Promise.reject(
      new Error(`computeInputMap: ${ctx.options.method} is not an input-gradient method`),
    );
  }
  return method(ctx, input, target);
}

function withInputGradient<R>(
  ctx: InputGradientContext,
  reluRule: ReluRule,
  work: (s: GradientSession) => Promise<R>,
): Promise<R> {
  const spec = {
    layer: undefined,
    includeInput: true,
    reluRule,
    score: ctx.options.score,
  } as const;
  return ctx.sessions.withGradient(ctx.model, spec, work);
}

function gradientMap(
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
  reluRule: ReluRule,
): Promise<InputExplanation> {
  return withInputGradient(ctx, reluRule, async (s) => {
    const run = await controlledRun(ctx.control, () =>
      runGradient(s, input.data, input.dims, target),
    );
    const planes = toPlanes(input, run.inputGradient ?? new Float32Array(0));
    return {
      raw: saliencyMap(planes),
      planes,
      scores: run.scores,
      classIndex: run.classIndex,
      scoreIsLogits: s.scoreIsLogits,
    };
  });
}

async function guidedGradCam(
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<InputExplanation> {
  const layer = ctx.layer ?? '';
  const spec = {
    layer,
    includeInput: false,
    reluRule: 'standard',
    score: ctx.options.score,
  } as const;
  const cam = await ctx.sessions.withGradient(ctx.model, spec, async (s) => {
    const run = await controlledRun(ctx.control, () =>
      runGradient(s, input.data, input.dims, target),
    );
    const [, channels = 1, height = 1, width = 1] = ctx.model.facts.get(layer)?.shape ?? [];
    const tensors: LayerTensors = {
      channels,
      height,
      width,
      activation: run.activation ?? new Float32Array(0),
      gradient: run.gradient ?? new Float32Array(0),
    };
    return { map: gradCamMap(tensors), run, scoreIsLogits: s.scoreIsLogits };
  });

  const guided = await gradientMap(ctx, input, cam.run.classIndex, 'guided');
  return { ...guided, raw: guidedGradCamMap(guided.raw, cam.map), planes: undefined };
}

async function smoothGrad(
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<InputExplanation> {
  const { samples, sigma } = ctx.options;
  // A fresh generator per image and class: a batch repeats the noise of each image sent alone.
  const normals = (ctx.noise ?? seededNormals)(ctx.options.seed);

  return withInputGradient(ctx, 'standard', async (s) => {
    const clean = await controlledRun(ctx.control, () =>
      runGradient(s, input.data, input.dims, target),
    );
    const gradients: InputPlanes[] = [];
    for (let n = 0; n < samples; n += 1) {
      const noisy = noisyInput(input.data, sigma, normals(input.data.length));
      const run = await controlledRun(ctx.control, () =>
        runGradient(s, noisy, input.dims, clean.classIndex),
      );
      gradients.push(toPlanes(input, run.inputGradient ?? new Float32Array(0)));
    }
    return {
      raw: smoothGradMap(gradients),
      planes: meanPlanes(gradients),
      scores: clean.scores,
      classIndex: clean.classIndex,
      scoreIsLogits: s.scoreIsLogits,
    };
  });
}

async function integrated(
  ctx: InputGradientContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<InputExplanation> {
  const { steps } = ctx.options;
  const baseline =
    ctx.options.baseline === 'zeros' ? new Float32Array(input.data.length) : ctx.blackBaseline;

  return withInputGradient(ctx, 'standard', async (s) => {
    // The last path point is x itself: its run also finds the class and the scores.
    const last = await controlledRun(ctx.control, () =>
      runGradient(s, input.data, input.dims, target),
    );
    const sum = Float32Array.from(last.inputGradient ?? []);
    for (let m = 1; m < steps; m += 1) {
      const point = pathPoint(input.data, baseline, m, steps);
      const run = await controlledRun(ctx.control, () =>
        runGradient(s, point, input.dims, last.classIndex),
      );
      (run.inputGradient ?? []).forEach((g, i) => {
        sum[i] = (sum[i] ?? 0) + g;
      });
    }

    const attribution = integratedGradients(
      toPlanes(input, input.data),
      toPlanes(input, baseline).data,
      toPlanes(input, sum).data,
      steps,
    );
    return {
      raw: integratedGradientsMap(attribution),
      planes: attribution,
      scores: last.scores,
      classIndex: last.classIndex,
      scoreIsLogits: s.scoreIsLogits,
    };
  });
}

/** The element-wise mean of the samples' signed gradients: SmoothGrad before its reduction. */
function meanPlanes(samples: readonly InputPlanes[]): InputPlanes | undefined {
  const first = samples[0];
  if (first === undefined) {
    return undefined;
  }
  const sum = new Float32Array(first.data.length);
  for (const sample of samples) {
    sample.data.forEach((v, i) => {
      sum[i] = (sum[i] ?? 0) + v;
    });
  }
  return { ...first, data: sum.map((v) => v / samples.length) };
}
