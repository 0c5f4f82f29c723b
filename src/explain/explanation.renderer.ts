import { renderHeatmapPng, renderOverlayPng } from '../imaging/heatmap.renderer';
import { mapToImage } from '../imaging/map-to-image';
import { encodeNpy } from '../imaging/npy.codec';
import { tensorToJson } from '../imaging/tensor-json.encoder';
import type { JobAnswer } from '../jobs/job.types';
import type { ExplainParameters } from './explain-parameters.schema';
import type { ExplainedMap, Explanation } from './explanation';

export type RenderOptions = Pick<
  ExplainParameters,
  'output' | 'colormap' | 'alpha' | 'resolution' | 'format'
>;

interface Rendered {
  readonly contentType: string;
  readonly bytes?: Buffer;
  readonly tensor?: { readonly data: Float32Array; readonly shape: number[] };
}

const round = (ms: number): number => Math.round(ms * 100) / 100;

/**
 * The job's answer: one map is a binary PNG or .npy with its metadata (the
 * transport turns it into X-Cnn-Lens-* headers), or a JSON document for a
 * JSON tensor; several maps (images or classes) are always one JSON
 * document with a `results` list. format=json asks for JSON in every case
 * (PNG and .npy bytes then travel as base64).
 */
export async function renderExplanation(
  explanation: Explanation,
  options: RenderOptions,
): Promise<JobAnswer> {
  const started = performance.now();
  const rendered: Rendered[] = [];
  for (const map of explanation.maps) {
    rendered.push(await renderOne(map, options));
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
  const map = explanation.maps[0];
  if (rendered.length === 1 && only !== undefined && map !== undefined) {
    if (only.bytes !== undefined && options.format !== 'json') {
      const metadata = { ...header, ...describe(map), ...prefixed(timings), time_total_ms: total };
      return { type: 'binary', contentType: only.contentType, data: only.bytes, metadata };
    }
    return {
      type: 'json',
      body: {
        ...header,
        ...describe(map),
        timings: { ...timings, total_ms: total },
        ...body(only),
      },
    };
  }

  return {
    type: 'json',
    body: {
      ...header,
      output: options.output,
      timings: { ...timings, total_ms: total },
      results: explanation.maps.map((m, i) => ({ ...describe(m), ...body(rendered[i]) })),
    },
  };
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

function body(rendered: Rendered | undefined): Record<string, unknown> {
  if (rendered === undefined) {
    return {};
  }
  if (rendered.tensor !== undefined) {
    return { tensor: tensorToJson(rendered.tensor.data, rendered.tensor.shape) };
  }
  const key = rendered.contentType === 'image/png' ? 'png_base64' : 'npy_base64';
  return { content_type: rendered.contentType, [key]: rendered.bytes?.toString('base64') };
}

async function renderOne(map: ExplainedMap, options: RenderOptions): Promise<Rendered> {
  const { width, height } = map.decoded;
  switch (options.output) {
    case 'overlay':
      return {
        contentType: 'image/png',
        bytes: await renderOverlayPng(map.decoded, onImage(map), options.colormap, options.alpha),
      };
    case 'heatmap':
      return {
        contentType: 'image/png',
        bytes: await renderHeatmapPng(onImage(map), width, height, options.colormap),
      };
    case 'tensor': {
      const tensor = tensorOf(map, options.resolution);
      return options.format === 'json'
        ? { contentType: 'application/json', tensor }
        : { contentType: 'application/x-npy', bytes: encodeNpy(tensor.data, tensor.shape) };
    }
  }
}

/** The normalised map brought onto the upright original, at its size (undoing stretch, letterbox or crop). */
function onImage(map: ExplainedMap): Float32Array {
  return mapToImage(
    map.map.data,
    map.map.width,
    map.map.height,
    map.geometry,
    map.decoded.width,
    map.decoded.height,
  );
}

function tensorOf(
  map: ExplainedMap,
  resolution: RenderOptions['resolution'],
): { data: Float32Array; shape: number[] } {
  const { width, height } = map.decoded;
  const planes = map.planes;
  if (planes === undefined) {
    return resolution === 'layer'
      ? { data: map.map.data, shape: [map.map.height, map.map.width] }
      : { data: onImage(map), shape: [height, width] };
  }
  if (resolution === 'layer') {
    return { data: planes.data, shape: [planes.channels, planes.height, planes.width] };
  }
  const area = planes.height * planes.width;
  const out = new Float32Array(planes.channels * width * height);
  for (let c = 0; c < planes.channels; c += 1) {
    const plane = planes.data.subarray(c * area, (c + 1) * area);
    out.set(
      mapToImage(plane, planes.width, planes.height, map.geometry, width, height),
      c * width * height,
    );
  }
  return { data: out, shape: [planes.channels, height, width] };
}
