import { CamNotApplicableError } from '../errors/cam-not-applicable.error';
import { findCamHead } from '../onnx/cam-head';
import type { ResolvedExplainParameters } from './explain-parameters.schema';
import type { ExplainSessions, ForwardSession } from './explain-sessions';
import type { ExplainableModel } from './explainable-model';
import {
  extentOf,
  flipHorizontally,
  flipMap,
  type ModelTensor,
  multiplyByMask,
  scaleTensor,
} from './input-tensor';
import type { LayerActivation, LayerTensors, SpatialMap } from './layer-tensors';
import { reluMinMax } from './map-normalization';
import { ablationCamMap, ablationValue } from './methods/ablation-cam.method';
import { camMap } from './methods/cam.method';
import { eigenCamMap } from './methods/eigen-cam.method';
import { eigenGradCamMap } from './methods/eigen-grad-cam.method';
import { gradCamElementwiseMap } from './methods/grad-cam-elementwise.method';
import { gradCamPlusPlusMap } from './methods/grad-cam-plus-plus.method';
import { gradCamMap } from './methods/grad-cam.method';
import { hiResCamMap } from './methods/hires-cam.method';
import { layerCamMap } from './methods/layer-cam.method';
import { scoreCamMap, scoreCamMask } from './methods/score-cam.method';
import { xGradCamMap } from './methods/x-grad-cam.method';
import { argmax, batchedTargetScores, runForward, runGradient, type RunTarget } from './model-runs';
import { controlledRun, type RunControl } from './run-control';

/** A map before normalisation, with the scores of the run that made it. */
export interface RawExplanation {
  readonly raw: SpatialMap;
  readonly scores: Float32Array;
  readonly classIndex: number;
  readonly scoreIsLogits: boolean;
}

export interface CamContext {
  readonly model: ExplainableModel;
  readonly sessions: ExplainSessions;
  readonly layer: string;
  readonly options: ResolvedExplainParameters;
  /** The job's cancellation and progress, around every model run. */
  readonly control?: RunControl;
}

type GradientMethod = (layer: LayerTensors, eigenSmooth: boolean) => SpatialMap;

const GRADIENT_METHODS: Readonly<Record<string, GradientMethod>> = {
  gradcam: gradCamMap,
  'gradcam++': gradCamPlusPlusMap,
  hirescam: hiResCamMap,
  'gradcam-elementwise': gradCamElementwiseMap,
  xgradcam: xGradCamMap,
  layercam: layerCamMap,
  eigengradcam: (layer) => eigenGradCamMap(layer),
};

/** ttach's HorizontalFlip x Multiply(0.9, 1, 1.1) without the identity, which `first` already is. */
const AUGMENTATIONS = [
  { flip: false, factor: 0.9 },
  { flip: false, factor: 1.1 },
  { flip: true, factor: 0.9 },
  { flip: true, factor: 1 },
  { flip: true, factor: 1.1 },
] as const;

/** The maps aug_smooth computes for one: the input as is, and each augmentation. */
export const AUGMENTED_RUNS = AUGMENTATIONS.length + 1;

/**
 * The method's layer map for one image and class. With aug_smooth, as
 * pytorch-grad-cam: the maps for {as is, mirrored} x {0.9, 1, 1.1} times the
 * input, each ReLU'd and min-max normalised, the mirrored ones mirrored back,
 * averaged; the class is fixed by the unaugmented run.
 */
export async function computeCam(
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<RawExplanation> {
  const first = await computeOne(ctx, input, target);
  if (!ctx.options.aug_smooth) {
    return first;
  }

  const sum = Float64Array.from(reluMinMax(first.raw).data);
  for (const { flip, factor } of AUGMENTATIONS) {
    const augmented = scaleTensor(flip ? flipHorizontally(input) : input, factor);
    const { raw } = await computeOne(ctx, augmented, first.classIndex);
    const normalised = reluMinMax(raw);
    const map = flip ? flipMap(normalised) : normalised;
    map.data.forEach((v, p) => {
      sum[p] = (sum[p] ?? 0) + v;
    });
  }
  const data = Float32Array.from(sum, (v) => v / AUGMENTED_RUNS);
  return { ...first, raw: { ...first.raw, data } };
}

type Computation = (
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
) => Promise<RawExplanation>;

const FORWARD_METHODS: Readonly<Record<string, Computation>> = {
  cam: (ctx, input, target) => classActivation(ctx, input, target),
  eigencam: (ctx, input, target) =>
    forwardMethod(ctx, input, target, false, (layer) => Promise.resolve(eigenCamMap(layer))),
  scorecam: (ctx, input, target) =>
    forwardMethod(ctx, input, target, false, (layer, classIndex, s) =>
      scoreCam(ctx, s, input, layer, classIndex),
    ),
  ablationcam: (ctx, input, target) =>
    forwardMethod(ctx, input, target, true, (layer, classIndex, s, score) =>
      ablationCam(ctx, s, input, layer, classIndex, score),
    ),
};

export const CAM_FAMILY: ReadonlySet<string> = new Set([
  ...Object.keys(GRADIENT_METHODS),
  ...Object.keys(FORWARD_METHODS),
]);

function computeOne(
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<RawExplanation> {
  const method = ctx.options.method;
  const gradientMethod = GRADIENT_METHODS[method];
  if (gradientMethod !== undefined) {
    return withLayerGradient(ctx, input, target, gradientMethod);
  }
  const forward = FORWARD_METHODS[method];
  if (forward === undefined) {
    return Promise.reject(new Error(`computeCam: ${method} is not a CAM-family method`));
  }
  return forward(ctx, input, target);
}

function layerShape(ctx: CamContext): { channels: number; height: number; width: number } {
  const [, channels = 1, height = 1, width = 1] = ctx.model.facts.get(ctx.layer)?.shape ?? [];
  return { channels, height, width };
}

function withLayerGradient(
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
  method: GradientMethod,
): Promise<RawExplanation> {
  const spec = {
    layer: ctx.layer,
    includeInput: false,
    reluRule: 'standard',
    score: ctx.options.score,
  } as const;
  return ctx.sessions.withGradient(ctx.model, spec, async (s) => {
    const run = await controlledRun(ctx.control, () =>
      runGradient(s, input.data, input.dims, target),
    );
    const layer: LayerTensors = {
      ...layerShape(ctx),
      activation: run.activation ?? new Float32Array(0),
      gradient: run.gradient ?? new Float32Array(0),
    };
    const raw = method(layer, ctx.options.eigen_smooth);
    return { raw, scores: run.scores, classIndex: run.classIndex, scoreIsLogits: s.scoreIsLogits };
  });
}

type ForwardMethod = (
  layer: LayerActivation,
  classIndex: number,
  session: ForwardSession,
  score: number,
) => Promise<SpatialMap>;

function forwardMethod(
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
  gate: boolean,
  method: ForwardMethod,
): Promise<RawExplanation> {
  return ctx.sessions.withForward(
    ctx.model,
    { layer: ctx.layer, gate, score: ctx.options.score },
    async (s) => {
      const run = await controlledRun(ctx.control, () => runForward(s, input.data, input.dims));
      const classIndex = target === 'top' ? argmax(run.scores) : target;
      const layer: LayerActivation = { ...layerShape(ctx), activation: run.activation };
      const raw = await method(layer, classIndex, s, run.scores[classIndex] ?? 0);
      return { raw, scores: run.scores, classIndex, scoreIsLogits: s.scoreIsLogits };
    },
  );
}

function classActivation(
  ctx: CamContext,
  input: ModelTensor,
  target: RunTarget,
): Promise<RawExplanation> {
  const head = findCamHead(ctx.model.view, ctx.layer, ctx.model.logits);
  if (head === undefined || head.channels !== ctx.model.facts.get(ctx.layer)?.shape[1]) {
    return Promise.reject(new CamNotApplicableError(ctx.model.name, ctx.layer));
  }
  return forwardMethod(ctx, input, target, false, (layer, classIndex) => {
    const row = head.weights.subarray(classIndex * head.channels, (classIndex + 1) * head.channels);
    return Promise.resolve(camMap(layer, row, ctx.options.eigen_smooth));
  });
}

async function scoreCam(
  ctx: CamContext,
  s: ForwardSession,
  input: ModelTensor,
  layer: LayerActivation,
  classIndex: number,
): Promise<SpatialMap> {
  const { height, width } = extentOf(input);
  const scores = await batchedTargetScores(
    s,
    input.dims,
    layer.channels,
    ctx.options.batch_size,
    classIndex,
    (k, out) => {
      multiplyByMask(input, scoreCamMask(layer, k, height, width), out);
    },
    { control: ctx.control },
  );
  return scoreCamMap(layer, scores, ctx.options.eigen_smooth);
}

async function ablationCam(
  ctx: CamContext,
  s: ForwardSession,
  input: ModelTensor,
  layer: LayerActivation,
  classIndex: number,
  score: number,
): Promise<SpatialMap> {
  const ablation = { channels: layer.channels, value: ablationValue(layer.activation) };
  const scores = await batchedTargetScores(
    s,
    input.dims,
    layer.channels,
    ctx.options.batch_size,
    classIndex,
    (_, out) => out.set(input.data),
    { ablation, control: ctx.control },
  );
  return ablationCamMap(layer, score, scores, ctx.options.eigen_smooth);
}
