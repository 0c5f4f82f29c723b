import { checkAlpha } from '../imaging/overlay.blend';
import { encodedJsonAnswer } from '../jobs/encoded-json.answer';
import type { JobAnswer } from '../jobs/job.types';
import { encodeArray, encodeObject, type EncodedJson } from '../render/json-document.writer';
import type { MapRenderer } from '../render/map-render.pool';
import {
  type MapPlanes,
  type MapRenderTask,
  type TaskImage,
  taskContentType,
} from '../render/map-render.task';
import type { ResolvedExplainParameters } from './explain-parameters.schema';
import type { ExplainedMap, Explanation } from './explanation';

export type RenderOptions = Pick<
  ResolvedExplainParameters,
  'output' | 'colormap' | 'alpha' | 'resolution' | 'format'
>;

/**
 * Where maps are rendered (the worker pool in the service) and how large a
 * JSON tensor may be (checked with the answer's size, before the maps are computed).
 */
export interface RenderContext {
  readonly render: MapRenderer;
  readonly maxJsonTensorValues: number;
}

interface Rendered {
  readonly map: ExplainedMap;
  readonly contentType: string;
  /** PNG or .npy bytes for a binary answer; a JSON value for a JSON document. */
  readonly bytes: Buffer;
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * The job's answer, its shape fixed by the request alone: one image with one
 * named class (explanation.singleMap) is a binary PNG or .npy with its
 * metadata (the transport turns it into X-Cnn-Lens-* headers), or with
 * format=json one JSON document for that map; several images, a list of
 * targets or topk:N always give one JSON document with a `results` list,
 * even when it holds a single map. With format=json PNG and .npy bytes
 * travel as base64. The per-pixel work runs in `context.render`; this thread
 * only assembles bytes. A cancelled job (`signal`) stops before its next map.
 */
export async function renderExplanation(
  explanation: Explanation,
  options: RenderOptions,
  context: RenderContext,
  signal?: AbortSignal,
): Promise<JobAnswer> {
  checkAlpha(options.alpha);

  const started = performance.now();
  const encoding = explanation.singleMap && options.format !== 'json' ? 'binary' : 'json';
  const pixels = new SharedPixels();
  const rendered: Rendered[] = [];
  for (const map of explanation.maps) {
    signal?.throwIfAborted();
    const task = taskOf(map, options, encoding, pixels);
    rendered.push({ map, contentType: taskContentType(task), bytes: await context.render(task) });
  }
  const timings = {
    decode_ms: round(explanation.timings.decodeMs),
    preprocess_ms: round(explanation.timings.preprocessMs),
    explain_ms: round(explanation.timings.explainMs),
    render_ms: round(performance.now() - started),
  };
  const total = round(Object.values(timings).reduce((a, b) => a + b, 0));
  const header = {
    model: explanation.model,
    layer: explanation.layer,
    method: explanation.method,
    score_kind: explanation.scoreKind,
  };

  const only = rendered[0];
  if (explanation.singleMap && only !== undefined) {
    if (encoding === 'binary') {
      const metadata = {
        ...header,
        output: options.output,
        ...describe(only.map),
        ...prefixed(timings),
        time_total_ms: total,
      };
      return { type: 'binary', contentType: only.contentType, data: only.bytes, metadata };
    }
    const fields = {
      ...header,
      output: options.output,
      ...describe(only.map),
      timings: { ...timings, total_ms: total },
    };
    return documentAnswer(resultObject(fields, only, options));
  }

  const fields = { ...header, output: options.output, timings: { ...timings, total_ms: total } };
  const results = rendered.map((one) => resultObject(describe(one.map), one, options));
  return documentAnswer(encodeObject(fields, [['results', encodeArray(results)]]));
}

function documentAnswer(chunks: EncodedJson): JobAnswer {
  return encodedJsonAnswer(Buffer.concat(chunks));
}

function describe(map: ExplainedMap) {
  return {
    image: map.image,
    class_index: map.classIndex,
    label: map.label,
    score: map.score,
    probability: map.probability,
    image_width: map.decoded.width,
    image_height: map.decoded.height,
  };
}

function prefixed(timings: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(timings).map(([key, value]) => [`time_${key}`, value]));
}

/** A result's fields, then its map: `tensor` for a JSON tensor, else the content type and base64 bytes. */
function resultObject(
  fields: Readonly<Record<string, unknown>>,
  rendered: Rendered,
  options: RenderOptions,
): EncodedJson {
  if (options.output === 'tensor' && options.format === 'json') {
    return encodeObject(fields, [['tensor', [rendered.bytes]]]);
  }
  const key = rendered.contentType === 'image/png' ? 'png_base64' : 'npy_base64';
  return encodeObject({ ...fields, content_type: rendered.contentType }, [[key, [rendered.bytes]]]);
}

/**
 * Each decoded image's pixels copied once into shared memory: every map of
 * that image reaches the render threads without another copy.
 */
class SharedPixels {
  private readonly copies = new Map<Uint8Array, Uint8Array>();

  of(data: Uint8Array): Uint8Array {
    let shared = this.copies.get(data);
    if (shared === undefined) {
      shared = new Uint8Array(new SharedArrayBuffer(data.byteLength));
      shared.set(data);
      this.copies.set(data, shared);
    }
    return shared;
  }
}

function taskOf(
  map: ExplainedMap,
  options: RenderOptions,
  encoding: MapRenderTask['encoding'],
  pixels: SharedPixels,
): MapRenderTask {
  const { width, height, data } = map.decoded;
  const tensor = options.output === 'tensor';
  const planes: MapPlanes =
    tensor && map.planes !== undefined
      ? { ...map.planes, channelAxis: true }
      : { ...map.map, channels: 1, channelAxis: false };
  const image: TaskImage = {
    width,
    height,
    data: options.output === 'overlay' ? pixels.of(data) : undefined,
  };

  return {
    output: options.output,
    format: options.format,
    encoding,
    resolution: options.resolution,
    colormap: options.colormap,
    alpha: options.alpha,
    map: planes,
    geometry: map.geometry,
    image,
  };
}
