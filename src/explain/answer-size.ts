import { ResponseTooLargeError } from '../errors/response-too-large.error';
import { TensorJsonTooLargeError } from '../errors/tensor-json-too-large.error';
import { float32NpyBytes } from '../imaging/npy.codec';
import type { ResolvedExplainParameters } from './explain-parameters.schema';

/** The limits an explanation's answer must fit. */
export interface AnswerLimits {
  /** The job's answer limit (JobContext.maxAnswerBytes). */
  readonly maxBytes: number;
  /** The setting that imposes it, named in the error: MAX_RESPONSE_BYTES or GRPC_MAX_MESSAGE_BYTES. */
  readonly setting: string;
  /** MAX_JSON_TENSOR_VALUES. */
  readonly maxJsonTensorValues: number;
}

/** A plane's size. */
export interface Extent {
  readonly width: number;
  readonly height: number;
}

/**
 * What the answer will hold, known once the targets are parsed and the
 * images' headers read, before any pixel is decoded or any model run.
 */
export interface AnswerPlan {
  /** Each image's upright size: a resolution=image tensor's planes. */
  readonly images: readonly Extent[];
  readonly mapsPerImage: number;
  /** One image and one named class: a binary answer, unless format=json. */
  readonly singleMap: boolean;
  /** One map's tensor at resolution=layer: `channels` planes of `width` x `height`. */
  readonly layerTensor: Extent & { readonly channels: number; readonly channelAxis: boolean };
}

export type SizeOptions = Pick<ResolvedExplainParameters, 'output' | 'format' | 'resolution'>;

type Resolution = SizeOptions['resolution'];

/** `{"dtype":"float32","shape":[...],"data":[]}` without its values, as encodeTensorJson writes it. */
const jsonTensorFrame = (shape: readonly number[]): number =>
  JSON.stringify({ dtype: 'float32', shape, data: [] }).length;

/** base64 in JSON quotes, as a JSON document carries .npy bytes. */
const quotedBase64 = (bytes: number): number => 4 * Math.ceil(bytes / 3) + 2;

function shapesOf(plan: AnswerPlan, resolution: Resolution): number[][] {
  const { channels, channelAxis } = plan.layerTensor;
  const planes = (extent: Extent): number[] =>
    channelAxis ? [channels, extent.height, extent.width] : [extent.height, extent.width];
  const perImage = plan.images.map((image) =>
    planes(resolution === 'layer' ? plan.layerTensor : image),
  );
  return perImage.flatMap((shape) => Array.from({ length: plan.mapsPerImage }, () => shape));
}

const valuesOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The .npy answer's bytes: exact for a binary answer, the maps alone (a lower bound) in a document. */
function npyAnswerBytes(plan: AnswerPlan, resolution: Resolution): number {
  const files = shapesOf(plan, resolution).map(float32NpyBytes);
  return plan.singleMap
    ? (files[0] ?? 0)
    : files.reduce((sum, bytes) => sum + quotedBase64(bytes), 0);
}

/** The JSON tensor answer's values, and a lower bound of its bytes (every value at least one digit and a comma). */
function jsonAnswerSize(plan: AnswerPlan, resolution: Resolution) {
  const shapes = shapesOf(plan, resolution);
  const values = shapes.reduce((sum, shape) => sum + valuesOf(shape), 0);
  const bytes = shapes.reduce(
    (sum, shape) => sum + jsonTensorFrame(shape) + Math.max(0, 2 * valuesOf(shape) - 1),
    0,
  );
  return { values, bytes };
}

/** The same request with its smallest image and one named class (a binary answer): what "fewer images or targets" can reach. */
function oneMap(plan: AnswerPlan): AnswerPlan {
  const smallest = [...plan.images].sort((a, b) => a.width * a.height - b.width * b.height)[0];
  const images = smallest === undefined ? [] : [smallest];
  return { ...plan, images, mapsPerImage: 1, singleMap: true };
}

const mapCount = (plan: AnswerPlan): number => plan.images.length * plan.mapsPerImage;

function npyHints(plan: AnswerPlan, resolution: Resolution, limits: AnswerLimits): string[] {
  const hints: string[] = [];
  if (resolution === 'image' && npyAnswerBytes(plan, 'layer') <= limits.maxBytes) {
    hints.push('resolution=layer');
  }
  if (mapCount(plan) > 1 && npyAnswerBytes(oneMap(plan), resolution) <= limits.maxBytes) {
    hints.push(`fewer images or targets (this request asks for ${mapCount(plan)} maps)`);
  }
  if (resolution === 'image') {
    hints.push('a smaller image');
  }
  return hints;
}

function fitsAsJson(plan: AnswerPlan, resolution: Resolution, limits: AnswerLimits): boolean {
  const size = jsonAnswerSize(plan, resolution);
  return size.values <= limits.maxJsonTensorValues && size.bytes <= limits.maxBytes;
}

function checkJsonTensor(plan: AnswerPlan, resolution: Resolution, limits: AnswerLimits): void {
  const size = jsonAnswerSize(plan, resolution);
  if (size.values > limits.maxJsonTensorValues) {
    const npyBytes = npyAnswerBytes(plan, resolution);
    const npyFits = npyBytes <= limits.maxBytes;
    const hints = [
      ...(npyFits ? ['format=npy (binary float32)'] : []),
      ...(resolution === 'image' && fitsAsJson(plan, 'layer', limits) ? ['resolution=layer'] : []),
      ...(mapCount(plan) > 1 && fitsAsJson(oneMap(plan), resolution, limits)
        ? [`fewer images or targets (this request asks for ${mapCount(plan)} maps)`]
        : []),
      ...(resolution === 'image' ? ['a smaller image'] : []),
    ];
    const npyRefusal = npyFits
      ? undefined
      : `format=npy would be refused too: at least ${npyBytes} bytes, more than the limit of ${limits.maxBytes} bytes (${limits.setting})`;
    throw new TensorJsonTooLargeError(size.values, limits.maxJsonTensorValues, hints, npyRefusal);
  }
  if (size.bytes > limits.maxBytes) {
    throw new ResponseTooLargeError(size.bytes, limits.maxBytes, limits.setting, {
      atLeast: true,
      hints: [
        ...(resolution === 'image' && fitsAsJson(plan, 'layer', limits)
          ? ['resolution=layer']
          : []),
        ...(npyAnswerBytes(plan, resolution) <= limits.maxBytes ? ['format=npy'] : []),
        ...(resolution === 'image' ? ['a smaller image'] : []),
      ],
    });
  }
}

/**
 * Refuses a tensor answer that cannot fit its limits before anything is
 * computed: a .npy answer's size is known exactly from the targets and the
 * images' headers (float32 values and a 64-byte-aligned header; base64 in a
 * document), a JSON tensor's value count too, and its bytes from below. A PNG
 * answer's size depends on the picture (a uniform 2000x2000 one takes about
 * 60 kB for its 12 MB of pixels, a photograph's overlay megabytes): any
 * bound known beforehand would either refuse answers that fit or let through
 * answers that do not, so PNG answers are checked once rendered, as every
 * answer is.
 * @throws TensorJsonTooLargeError, ResponseTooLargeError (with the estimate and hints that were checked to fit)
 */
export function checkAnswerSize(
  plan: AnswerPlan,
  options: SizeOptions,
  limits: AnswerLimits,
): void {
  if (options.output !== 'tensor') {
    return;
  }
  if (options.format === 'json') {
    checkJsonTensor(plan, options.resolution, limits);
    return;
  }

  const bytes = npyAnswerBytes(plan, options.resolution);
  if (bytes > limits.maxBytes) {
    throw new ResponseTooLargeError(bytes, limits.maxBytes, limits.setting, {
      atLeast: !plan.singleMap,
      hints: npyHints(plan, options.resolution, limits),
    });
  }
}
