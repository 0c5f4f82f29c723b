import { forImage } from '../errors/image-in-batch.error';
import type { DecodedImage } from '../imaging/decoded-image';
import { type BatchLimits, readBatchSizes } from '../imaging/batch-pixels';
import { decodeUpload } from '../imaging/image-decoder';
import { resolveNormalization } from '../imaging/input-spec';
import { toModelInput } from '../imaging/model-input';
import type { InputGeometry } from '../imaging/input-geometry';
import type { ModelRepository } from '../models/model-repository';
import { resolveLayer } from '../onnx/targetable-layers';
import { type AnswerLimits, type AnswerPlan, checkAnswerSize } from './answer-size';
import { CAM_FAMILY, computeCam, type RawExplanation } from './cam-family.runner';
import { exposesPlanes, layerShape, tensorAtLayer } from './map-extent';
import { softmax, topK } from './class-scores';
import {
  type ExplainParameters,
  resolveExplainParameters,
  type ResolvedExplainParameters,
} from './explain-parameters.schema';
import { ExplainProgress, runsPerMap } from './explain-progress';
import type { ExplainSessions } from './explain-sessions';
import type { ExplainableModel } from './explainable-model';
import type { ExplainableModelLoader } from './explainable-model.loader';
import type { ExplainedMap, Explanation } from './explanation';
import { computeInputMap, type InputExplanation } from './input-gradient.runner';
import type { ModelTensor } from './input-tensor';
import { resolveTargetLayer } from './layer.resolver';
import { reluMinMax } from './map-normalization';
import type { RunTarget } from './model-runs';
import { checkOptionsApply } from './option-applicability';
import type { RunControl } from './run-control';
import { parseTargets, type TargetSpec } from './target.parser';

export interface ExplainerDependencies {
  readonly models: ModelRepository;
  readonly loader: ExplainableModelLoader;
  readonly sessions: ExplainSessions;
  readonly limits: BatchLimits;
}

/** What the job running an explanation gives it besides the request. */
export interface ExplainControl {
  /** Aborted when the job is cancelled: checked before every model run and decode, its reason thrown. */
  readonly signal?: AbortSignal;
  /** The share of the model runs done, from 0 to 1, after each run; increasing, unthrottled. */
  readonly progress?: (fraction: number) => void;
  /** Limits the answer must fit; a tensor answer that cannot is refused before any pixel is decoded. */
  readonly answer?: AnswerLimits;
}

/** A request with everything that needs no image resolved and checked. */
interface ResolvedRequest {
  readonly model: ExplainableModel;
  readonly options: ResolvedExplainParameters;
  /** The layer read (CAM family, guided-gradcam), else undefined. */
  readonly layer: string | undefined;
  readonly targets: readonly TargetSpec[];
  readonly singleMap: boolean;
}

interface PreparedImage {
  readonly decoded: DecodedImage;
  readonly tensor: ModelTensor;
  readonly geometry: InputGeometry;
}

type ComputedMap = RawExplanation & Partial<InputExplanation>;

type Compute = (input: ModelTensor, target: RunTarget) => Promise<ComputedMap>;

/**
 * The explanation pipeline, free of any transport: model, layer, options and
 * targets resolved and checked first, then the answer's size from the
 * images' headers, then each image decoded and preprocessed on its own (so a
 * batch gives exactly the maps of its images sent alone), then one map per
 * image and target, in the order asked, ReLU'd and min-max normalised.
 */
export class Explainer {
  constructor(private readonly deps: ExplainerDependencies) {}

  /** @param given the parameters as the caller gave them: options it did not give are not checked */
  async explain(
    modelName: string,
    images: readonly Buffer[],
    given: ExplainParameters,
    control: ExplainControl = {},
  ): Promise<Explanation> {
    const request = await this.resolve(modelName, images.length, given);
    const { model, layer, options, targets } = request;
    const progress = new ExplainProgress(
      images.length * targets.length,
      runsPerMap(options, layerShape(model, layer).channels),
      control.signal,
      control.progress,
    );

    const started = performance.now();
    // every header before any pixel: a batch too large in all, or an answer that cannot fit, is refused first
    const sizes = await readBatchSizes(images, this.deps.limits);
    if (control.answer !== undefined) {
      checkAnswerSize(this.plan(request, sizes), options, control.answer);
    }
    const decoded = await this.decode(model, images, progress);
    const decodedAt = performance.now();
    const prepared = [];
    for (const image of decoded) {
      prepared.push(await this.prepare(model, image));
    }
    const preparedAt = performance.now();

    const compute = this.computer(model, layer, options, progress);
    const maps: ExplainedMap[] = [];
    for (const [index, image] of prepared.entries()) {
      maps.push(...(await this.explainImage(request, index, image, compute, progress)));
    }
    const explainedAt = performance.now();

    return {
      model: model.name,
      layer: layer ?? model.inputName,
      method: options.method,
      scoreKind: options.score,
      singleMap: request.singleMap,
      maps,
      timings: {
        decodeMs: decodedAt - started,
        preprocessMs: preparedAt - decodedAt,
        explainMs: explainedAt - preparedAt,
      },
    };
  }

  /** Model, options, layer and targets, each checked: every refusal that needs no image. */
  private async resolve(
    modelName: string,
    imageCount: number,
    given: ExplainParameters,
  ): Promise<ResolvedRequest> {
    const model = await this.deps.loader.load(this.deps.models.get(modelName));
    // An unknown layer is LAYER_NOT_FOUND whatever the method, before asking whether it applies.
    if (given.layer !== undefined) {
      resolveLayer(model.proto, model.facts, given.layer);
    }
    checkOptionsApply(given);

    const options = resolveExplainParameters(given);
    const needsLayer = CAM_FAMILY.has(options.method) || options.method === 'guided-gradcam';
    const layer = needsLayer ? resolveTargetLayer(model, options.layer, options.method) : undefined;
    const { specs: targets, oneClass } = parseTargets(
      options.target,
      model.classCount,
      model.descriptor.labels,
    );
    const singleMap = imageCount === 1 && oneClass;
    return { model, options, layer, targets, singleMap };
  }

  /** The answer's shape from the images' sizes in their headers: no pixel decoded, no model run. */
  private plan(
    request: ResolvedRequest,
    sizes: readonly { width: number; height: number }[],
  ): AnswerPlan {
    return {
      images: sizes,
      mapsPerImage: request.targets.length,
      singleMap: request.singleMap,
      layerTensor: tensorAtLayer(request.model, request.options, request.layer),
    };
  }

  private async decode(
    model: ExplainableModel,
    images: readonly Buffer[],
    progress: ExplainProgress,
  ): Promise<DecodedImage[]> {
    const { background } = model.descriptor.input;
    const decoded = [];
    for (const [index, bytes] of images.entries()) {
      progress.checkCancelled();
      const decode = () => decodeUpload(bytes, this.deps.limits, background);
      decoded.push(await forImage(index, images.length, decode));
    }
    return decoded;
  }

  private computer(
    model: ExplainableModel,
    layer: string | undefined,
    options: ResolvedExplainParameters,
    control: RunControl,
  ): Compute {
    const { sessions } = this.deps;
    if (CAM_FAMILY.has(options.method)) {
      const context = { model, sessions, layer: layer ?? '', options, control };
      return (input, target) => computeCam(context, input, target);
    }
    const context = {
      model,
      sessions,
      layer,
      options,
      control,
      blackBaseline: blackImage(model),
    };
    return (input, target) => computeInputMap(context, input, target);
  }

  private async prepare(model: ExplainableModel, image: DecodedImage): Promise<PreparedImage> {
    const spec = model.descriptor.input;
    const input = await toModelInput([image], spec);
    const geometry = input.geometry[0];
    if (geometry === undefined) {
      throw new Error('toModelInput returned no geometry for the image');
    }
    return {
      decoded: image,
      tensor: { data: input.tensor, dims: input.dims, layout: spec.layout },
      geometry,
    };
  }

  private async explainImage(
    request: ResolvedRequest,
    index: number,
    image: PreparedImage,
    compute: Compute,
    progress: ExplainProgress,
  ): Promise<ExplainedMap[]> {
    const { model, options, targets } = request;
    const maps: ExplainedMap[] = [];
    // A class asked for twice (top1,9 on an ankle boot) keeps both entries, so that the answer's
    // shape follows the request; its map is computed once.
    const computed = new Map<number, ComputedMap>();
    let ranking: number[] | undefined;

    for (const spec of targets) {
      const target = runTarget(spec, ranking);
      let result = target === 'top' ? undefined : computed.get(target);
      if (result === undefined) {
        result = await compute(image.tensor, target);
        computed.set(result.classIndex, result);
      }
      ranking ??= topK(result.scores, result.scores.length).map((r) => r.index);
      maps.push(this.explained(model, index, image, result, options));
      progress.mapDone();
    }
    return maps;
  }

  private explained(
    model: ExplainableModel,
    index: number,
    image: PreparedImage,
    result: ComputedMap,
    options: ResolvedExplainParameters,
  ): ExplainedMap {
    const c = result.classIndex;
    const probabilities = result.scoreIsLogits ? softmax(result.scores) : result.scores;
    return {
      image: index,
      classIndex: c,
      label: model.descriptor.labels[c] ?? String(c),
      score: result.scores[c] ?? Number.NaN,
      probability: probabilities[c] ?? Number.NaN,
      map: options.normalize ? reluMinMax(result.raw) : result.raw,
      planes: exposesPlanes(options) ? result.planes : undefined,
      decoded: image.decoded,
      geometry: image.geometry,
    };
  }
}

function runTarget(spec: TargetSpec, ranking: readonly number[] | undefined): RunTarget {
  if (spec.kind === 'class') {
    return spec.index;
  }
  return ranking === undefined ? 'top' : (ranking[spec.rank - 1] ?? 'top');
}

/** The preprocessed black image: (0 * scale - mean[c]) / std[c] in every pixel. */
function blackImage(model: ExplainableModel): Float32Array {
  const spec = model.descriptor.input;
  const { mean, std } = resolveNormalization(spec);
  const area = spec.height * spec.width;
  const out = new Float32Array(area * spec.channels);
  for (let i = 0; i < out.length; i += 1) {
    const c = spec.layout === 'NCHW' ? Math.floor(i / area) : i % spec.channels;
    out[i] = -(mean[c] ?? 0) / (std[c] ?? 1);
  }
  return out;
}
