import type { DecodedImage } from '../imaging/decoded-image';
import { decodeUpload, type DecodeLimits } from '../imaging/image-decoder';
import { resolveNormalization } from '../imaging/input-spec';
import { toModelInput } from '../imaging/model-input';
import type { InputGeometry } from '../imaging/input-geometry';
import type { ModelRepository } from '../models/model-repository';
import { resolveLayer } from '../onnx/targetable-layers';
import { CAM_FAMILY, computeCam, type RawExplanation } from './cam-family.runner';
import { softmax, topK } from './class-scores';
import type { ExplainParameters } from './explain-parameters.schema';
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
import { namesOneClass, parseTargets, type TargetSpec } from './target.parser';

export interface ExplainerDependencies {
  readonly models: ModelRepository;
  readonly loader: ExplainableModelLoader;
  readonly sessions: ExplainSessions;
  readonly limits: DecodeLimits;
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
 * targets resolved and checked first, then each image decoded and
 * preprocessed on its own (so a batch gives exactly the maps of its images
 * sent alone), then one map per image and target, in the order asked,
 * ReLU'd and min-max normalised.
 */
export class Explainer {
  constructor(private readonly deps: ExplainerDependencies) {}

  async explain(
    modelName: string,
    images: readonly Buffer[],
    options: ExplainParameters,
  ): Promise<Explanation> {
    const model = await this.deps.loader.load(this.deps.models.get(modelName));
    // An unknown layer is LAYER_NOT_FOUND whatever the method, before asking whether it applies.
    if (options.layer !== undefined) {
      resolveLayer(model.proto, model.facts, options.layer);
    }
    checkOptionsApply(options);
    const needsLayer = CAM_FAMILY.has(options.method) || options.method === 'guided-gradcam';
    const layer = needsLayer ? resolveTargetLayer(model, options.layer, options.method) : undefined;
    const targets = parseTargets(options.target, model.classCount, model.descriptor.labels);
    const compute = this.computer(model, layer, options);

    const started = performance.now();
    const decoded = [];
    for (const bytes of images) {
      decoded.push(await decodeUpload(bytes, this.deps.limits));
    }
    const decodedAt = performance.now();
    const prepared = [];
    for (const image of decoded) {
      prepared.push(await this.prepare(model, image));
    }
    const preparedAt = performance.now();

    const maps: ExplainedMap[] = [];
    for (const [index, image] of prepared.entries()) {
      maps.push(...(await this.explainImage(model, index, image, targets, compute)));
    }
    const explainedAt = performance.now();

    return {
      model: model.name,
      layer: layer ?? model.inputName,
      method: options.method,
      scoreKind: options.score,
      singleMap: images.length === 1 && namesOneClass(options.target),
      maps,
      timings: {
        decodeMs: decodedAt - started,
        preprocessMs: preparedAt - decodedAt,
        explainMs: explainedAt - preparedAt,
      },
    };
  }

  private computer(
    model: ExplainableModel,
    layer: string | undefined,
    options: ExplainParameters,
  ): Compute {
    const { sessions } = this.deps;
    if (CAM_FAMILY.has(options.method)) {
      const context = { model, sessions, layer: layer ?? '', options };
      return (input, target) => computeCam(context, input, target);
    }
    const context = { model, sessions, layer, options, blackBaseline: blackImage(model) };
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
    model: ExplainableModel,
    index: number,
    image: PreparedImage,
    targets: readonly TargetSpec[],
    compute: Compute,
  ): Promise<ExplainedMap[]> {
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
      maps.push(this.explained(model, index, image, result));
    }
    return maps;
  }

  private explained(
    model: ExplainableModel,
    index: number,
    image: PreparedImage,
    result: ComputedMap,
  ): ExplainedMap {
    const c = result.classIndex;
    const probabilities = result.scoreIsLogits ? softmax(result.scores) : result.scores;
    return {
      image: index,
      classIndex: c,
      label: model.descriptor.labels[c] ?? String(c),
      score: result.scores[c] ?? Number.NaN,
      probability: probabilities[c] ?? Number.NaN,
      map: reluMinMax(result.raw),
      planes: result.planes,
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
